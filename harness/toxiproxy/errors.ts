// API errors, with Toxiproxy's exact messages and statuses (api.go). Every
// handler reports failures by throwing an ApiError; the server renders it
// once, as {"error": msg, "status": code}.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  /** "<this message>: <detail>", as Toxiproxy's joinError builds it. */
  with(detail: string): ApiError {
    return new ApiError(`${this.message}: ${detail}`, this.status);
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

export const ErrBadRequestBody = new ApiError('bad request body', 400);
export const ErrMissingField = new ApiError('missing required field', 400);
export const ErrProxyNotFound = new ApiError('proxy not found', 404);
export const ErrProxyAlreadyExists = new ApiError('proxy already exists', 409);
export const ErrInvalidStream = new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const ErrInvalidToxicType = new ApiError('invalid toxic type', 400);
export const ErrToxicAlreadyExists = new ApiError('toxic already exists', 409);
export const ErrToxicNotFound = new ApiError('toxic not found', 404);

/** Go's name for a JSON value's kind, as in "json: cannot unmarshal string into ...". */
export function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return Number.isInteger(v) ? 'number' : `number ${v}`;
  return typeof v;
}

/** The "bad request body" error for a field of the wrong JSON type. */
export function wrongType(value: unknown, field: string, goType: string): ApiError {
  return ErrBadRequestBody.with(`json: cannot unmarshal ${jsonKind(value)} into Go struct field ${field} of type ${goType}`);
}
