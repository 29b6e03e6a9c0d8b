// A configured toxic (Toxiproxy's ToxicWrapper) and the parsing of its JSON,
// with Toxiproxy's defaults, validation order and error messages.
import { ErrBadRequestBody, ErrInvalidStream, ErrInvalidToxicType, jsonKind, wrongType } from './errors.ts';
import type { Direction } from './link.ts';
import type { ToxicImpl } from './stub.ts';
import type { Attributes, ToxicDefinition } from './toxics/definition.ts';
import { lookupToxic } from './toxics/registry.ts';

export interface ToxicWrapper {
  name: string;
  type: string;
  /** As the client spelled it (matched case-insensitively). */
  stream: string;
  direction: Direction;
  toxicity: number;
  attributes: Attributes;
  definition: ToxicDefinition;
  impl: ToxicImpl;
}

export interface ToxicJson {
  name: string;
  type: string;
  stream: string;
  toxicity: number;
  attributes: Attributes;
}

export function toxicJson(t: ToxicWrapper): ToxicJson {
  return { name: t.name, type: t.type, stream: t.stream, toxicity: t.toxicity, attributes: { ...t.attributes } };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringField(body: Record<string, unknown>, key: string, fallback: string): string {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'string') throw wrongType(v, `ToxicWrapper.${key}`, 'string');
  return v;
}

function toxicityField(body: Record<string, unknown>, fallback: number): number {
  const v = body.toxicity;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number') throw wrongType(v, 'ToxicWrapper.toxicity', 'float32');
  return v;
}

const INT_LIMITS = { int: 2 ** 63, int64: 2 ** 63 };

/** Merges `input` (a JSON "attributes" value) over `base`; unknown keys are dropped, a wrong type is 400. */
function parseAttributes(def: ToxicDefinition, base: Attributes, input: unknown): Attributes {
  const out: Attributes = { ...base };
  if (input === undefined || input === null) return out;
  if (!isObject(input)) {
    throw ErrBadRequestBody.with(
      `json: cannot unmarshal ${jsonKind(input)} into Go struct field .attributes of type toxics.${def.type}`,
    );
  }
  for (const [key, goType] of Object.entries(def.attributes)) {
    const v = input[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) >= INT_LIMITS[goType]) {
      throw wrongType(v, `.attributes.${key}`, goType);
    }
    out[key] = v;
  }
  const problem = def.validate?.(out);
  if (problem !== undefined) throw ErrBadRequestBody.with(problem);
  return out;
}

function defaults(def: ToxicDefinition): Attributes {
  return Object.fromEntries(Object.keys(def.attributes).map((k) => [k, 0]));
}

export function parseDirection(stream: string): Direction | undefined {
  const s = stream.toLowerCase();
  return s === 'upstream' || s === 'downstream' ? s : undefined;
}

/** A new toxic from a POST body; `exists` reports a name clash (checked where Toxiproxy checks it). */
export function parseNewToxic(body: unknown, exists: (name: string) => boolean, conflict: Error): ToxicWrapper {
  if (!isObject(body)) throw ErrBadRequestBody.with(`json: cannot unmarshal ${jsonKind(body)} into Go value of type toxics.ToxicWrapper`);
  const stream = stringField(body, 'stream', 'downstream');
  const type = stringField(body, 'type', '');
  let name = stringField(body, 'name', '');
  const toxicity = toxicityField(body, 1.0);
  const direction = parseDirection(stream);
  if (direction === undefined) throw ErrInvalidStream;
  if (name === '') name = `${type}_${stream}`;
  const definition = lookupToxic(type);
  if (definition === undefined) throw ErrInvalidToxicType;
  if (exists(name)) throw conflict;
  const attributes = parseAttributes(definition, defaults(definition), body.attributes);
  return { name, type, stream, direction, toxicity, attributes, definition, impl: definition.create(attributes) };
}

/** An updated copy of `old`: only `attributes` (merged) and `toxicity` change. */
export function parseToxicUpdate(old: ToxicWrapper, body: unknown): ToxicWrapper {
  if (!isObject(body)) throw ErrBadRequestBody.with(`json: cannot unmarshal ${jsonKind(body)} into Go value of type struct`);
  const toxicity = toxicityField(body, old.toxicity);
  const attributes = parseAttributes(old.definition, old.attributes, body.attributes);
  return { ...old, toxicity, attributes, impl: old.definition.create(attributes) };
}
