// All proxies of a server, by name (Toxiproxy's proxy_collection.go): adds
// with name-clash checks, populate (validate everything, then apply) and reset.
import { ErrBadRequestBody, ErrMissingField, ErrProxyAlreadyExists, ErrProxyNotFound, ApiError, jsonKind, wrongType } from './errors.ts';
import { Mutex } from './mutex.ts';
import { Proxy, splitHostPort, type ProxyEnv } from './proxy.ts';

export interface ProxyInput {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean | undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads proxy fields from JSON with Go's typing rules; missing fields take `base`. */
export function parseProxyFields(body: unknown, base: ProxyInput): ProxyInput {
  if (!isObject(body)) throw ErrBadRequestBody.with(`json: cannot unmarshal ${jsonKind(body)} into Go value of type toxiproxy.Proxy`);
  const out = { ...base };
  for (const key of ['name', 'listen', 'upstream'] as const) {
    const v = body[key];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw wrongType(v, `Proxy.${key}`, 'string');
    out[key] = v;
  }
  const enabled = body.enabled;
  if (enabled !== undefined && enabled !== null) {
    if (typeof enabled !== 'boolean') throw wrongType(enabled, 'Proxy.enabled', 'bool');
    out.enabled = enabled;
  }
  return out;
}

export class ProxyCollection {
  readonly proxies = new Map<string, Proxy>();
  /** Serialises changes to the set of proxies (add, remove, populate, reset). */
  private readonly lock = new Mutex();

  constructor(private readonly env: ProxyEnv) {}

  get(name: string): Proxy {
    const p = this.proxies.get(name);
    if (p === undefined) throw ErrProxyNotFound;
    return p;
  }

  list(): Proxy[] {
    return [...this.proxies.values()];
  }

  add(input: ProxyInput): Promise<Proxy> {
    return this.lock.run(async () => {
      if (input.name === '') throw ErrMissingField.with('name');
      if (input.upstream === '') throw ErrMissingField.with('upstream');
      if (this.proxies.has(input.name)) throw ErrProxyAlreadyExists;
      const proxy = new Proxy(input.name, input.listen, input.upstream, this.env);
      if (input.enabled !== false) await proxy.start();
      this.proxies.set(proxy.name, proxy);
      return proxy;
    });
  }

  remove(name: string): Promise<void> {
    return this.lock.run(async () => {
      const proxy = this.get(name);
      this.proxies.delete(name);
      await proxy.lock.run(() => proxy.stop());
    });
  }

  /**
   * Creates or replaces many proxies at once. Every entry is validated before
   * anything changes; a proxy of the same name with the same listen and
   * upstream is kept as it is (with its toxics and connections).
   */
  populate(body: unknown): Promise<Proxy[]> {
    return this.lock.run(async () => {
      if (!Array.isArray(body)) {
        throw ErrBadRequestBody.with(`json: cannot unmarshal ${jsonKind(body)} into Go value of type []struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }`);
      }
      const inputs: ProxyInput[] = [];
      const names = new Set<string>();
      body.forEach((entry, i) => {
        const input = parseProxyFields(entry, { name: '', listen: '', upstream: '', enabled: undefined });
        if (input.name === '') throw ErrMissingField.with(`name at proxy ${i + 1}`);
        if (input.upstream === '') throw ErrMissingField.with(`upstream at proxy ${i + 1}`);
        if (names.has(input.name)) throw new ApiError(`duplicate proxy name "${input.name}"`, 400);
        names.add(input.name);
        if (input.enabled !== false) {
          if (input.listen !== '' && splitHostPort(input.listen) === undefined) {
            throw new ApiError(`listen tcp ${input.listen}: address ${input.listen}: missing port in address`, 400);
          }
          if (splitHostPort(input.upstream) === undefined) {
            throw new ApiError(`dial tcp ${input.upstream}: address ${input.upstream}: missing port in address`, 400);
          }
        }
        inputs.push(input);
      });
      const result: Proxy[] = [];
      for (const input of inputs) {
        const existing = this.proxies.get(input.name);
        if (existing !== undefined) {
          if (sameAddress(existing.listen, input.listen) && existing.upstream === input.upstream) {
            result.push(existing);
            continue;
          }
          this.proxies.delete(input.name);
          await existing.lock.run(() => existing.stop());
        }
        const proxy = new Proxy(input.name, input.listen, input.upstream, this.env);
        if (input.enabled !== false) await proxy.start();
        this.proxies.set(proxy.name, proxy);
        result.push(proxy);
      }
      return result;
    });
  }

  /** Enables every proxy and removes every toxic. */
  reset(): Promise<void> {
    return this.lock.run(async () => {
      for (const proxy of this.proxies.values()) {
        await proxy.lock.run(async () => {
          await proxy.start();
          await proxy.toxics.reset();
        });
      }
    });
  }

  async close(): Promise<void> {
    await this.lock.run(async () => {
      await Promise.all(this.list().map((p) => p.stop()));
      this.proxies.clear();
    });
  }
}

/** Same listen address, treating localhost as 127.0.0.1 and an explicit port 0 as "any". */
function sameAddress(current: string, wanted: string): boolean {
  const norm = (a: string) => a.replace(/^localhost:/, '127.0.0.1:');
  const c = norm(current);
  const w = norm(wanted === '' ? '127.0.0.1:0' : wanted);
  if (c === w) return true;
  const cw = splitHostPort(w);
  const cc = splitHostPort(c);
  return cw !== undefined && cc !== undefined && cw.port === 0 && cw.host === cc.host;
}
