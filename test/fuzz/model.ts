/**
 * The fuzzer's request model: parameters kept decoded (with an optional raw encoding for
 * percent-encoding tricks), headers in order, and framing overrides; `toRaw` turns it into the
 * bytes sent, `serverView` decodes what the server will see (the parameters after its form
 * parsing, the headers, the body up to the declared length) so that a mutation is classified
 * by its effect, not by its name.
 */
import type { RawRequest } from './http.ts';

export interface Param {
  name: string;
  value: string;
  /** Sent instead of the encoded name/value when set (encoding tricks). */
  rawName?: string;
  rawValue?: string;
}

export interface FuzzRequest {
  method: string;
  path: string;
  query?: Param[];
  /** Replaces the serialized query string (byte-level mutations). */
  rawQuery?: string;
  headers: Array<[string, string]>;
  form?: Param[];
  /** Replaces the serialized body (byte-level mutations). */
  rawBody?: Buffer;
  contentLength?: RawRequest['contentLength'];
  chunked?: number;
  halfClose?: boolean;
}

/** Form encoding; a lone surrogate is sent as U+FFFD (what UTF-8 encoding makes of it). */
export const enc = (s: string): string => encodeURIComponent(s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')).replace(/%20/g, '+');
export const serializeParams = (ps: Param[]): string => ps.map((p) => `${p.rawName ?? enc(p.name)}=${p.rawValue ?? enc(p.value)}`).join('&');

export function clone(r: FuzzRequest): FuzzRequest {
  return {
    ...r,
    headers: r.headers.map(([k, v]) => [k, v] as [string, string]),
    ...(r.query ? { query: r.query.map((p) => ({ ...p })) } : {}),
    ...(r.form ? { form: r.form.map((p) => ({ ...p })) } : {}),
    ...(r.rawBody ? { rawBody: Buffer.from(r.rawBody) } : {}),
  };
}

export function queryString(r: FuzzRequest): string | undefined {
  if (r.rawQuery !== undefined) return r.rawQuery;
  return r.query ? serializeParams(r.query) : undefined;
}

export function bodyBytes(r: FuzzRequest): Buffer | undefined {
  if (r.rawBody) return r.rawBody;
  return r.form ? Buffer.from(serializeParams(r.form), 'utf8') : undefined;
}

export function toRaw(r: FuzzRequest): RawRequest {
  const q = queryString(r);
  const body = bodyBytes(r);
  return {
    method: r.method,
    target: q === undefined ? r.path : `${r.path}?${q}`,
    headers: r.headers,
    ...(body ? { body } : {}),
    ...(r.contentLength !== undefined ? { contentLength: r.contentLength } : {}),
    ...(r.chunked ? { chunked: r.chunked } : {}),
    ...(r.halfClose ? { halfClose: true } : {}),
  };
}

/** Decoded parameters, every occurrence kept; an undecodable one keeps a marker that matches nothing. */
export function decodeParams(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const dec = (s: string) => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return `\u0000undecodable:${s}`;
      }
    };
    const name = dec(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : dec(part.slice(eq + 1));
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

export interface ServerView {
  method: string;
  path: string;
  query: Map<string, string[]>;
  body: Map<string, string[]>;
  headers: Map<string, string[]>;
}

export function serverView(r: FuzzRequest): ServerView {
  const headers = new Map<string, string[]>();
  for (const [k, v] of r.headers) headers.set(k.toLowerCase(), [...(headers.get(k.toLowerCase()) ?? []), v]);
  let body = bodyBytes(r) ?? Buffer.alloc(0);
  if (!r.chunked) {
    if (r.contentLength === 'omit') body = Buffer.alloc(0);
    else if (typeof r.contentLength === 'number') body = body.subarray(0, Math.max(0, r.contentLength));
  }
  return { method: r.method.toUpperCase(), path: r.path, query: decodeParams(queryString(r) ?? ''), body: decodeParams(body.toString('utf8')), headers };
}

const same = (a: string[] | undefined, b: string[] | undefined) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

/** The login-binding cookie pair `name=value` is still sent (the server tries every cookie of that name). */
function cookieKept(view: ServerView, pair: string): boolean {
  const unquote = (p: string) => p.replace(/^([^=]*)="(.*)"$/, '$1=$2');
  const pairs = (view.headers.get('cookie') ?? []).join('; ').split(';').map((s) => unquote(s.trim()));
  return pairs.includes(pair);
}

export interface Relevance {
  /** Parameters (query or body) whose decoded value must be exactly the base's. */
  params: string[];
  /** Of those, parameters whose removal is allowed (e.g. client_id next to a client assertion). */
  removable?: string[];
  /** Headers that must be unchanged (authorization). */
  headers?: string[];
  /** The login cookie pair that must still be sent. */
  cookie?: string;
  /** The path carries this secret (request object id): changed when the decoded path no longer contains it. */
  pathSecret?: string;
  /**
   * Parameters with several encodings of one value (e.g. `vp_token`: the JWT, or base64 /
   * base64url of it, padded or not): a mutation that yields another encoding of the same value
   * is not a change.
   */
  canonical?: Readonly<Record<string, (value: string) => string>>;
}

/**
 * `vp_token` as the DOME wallet may send it (dome-verifier-wire.md: base64 or base64url of the VP
 * JWT, or the JWT itself): the JWT it carries, or the value itself when it is not a canonical
 * encoding (wrong padding, mixed alphabets, non-zero trailing bits), so such values stay changes.
 */
export function vpTokenJwt(value: string): string {
  if (value.includes('.')) return `jwt:${value}`;
  const alphabet = /^[A-Za-z0-9_-]*={0,2}$/.test(value) ? 'base64url' : /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? 'base64' : undefined;
  const bare = value.replace(/=+$/, '');
  if (!alphabet || bare.length % 4 === 1 || (bare.length !== value.length && value.length % 4 !== 0)) return value;
  const bytes = Buffer.from(bare, alphabet);
  return bytes.toString(alphabet).replace(/=+$/, '') === bare ? `jwt:${bytes.toString('latin1')}` : value;
}

/** The relevant parts that differ between base and mutated request (empty: the mutation is irrelevant). */
export function relevantChanges(base: ServerView, mutated: ServerView, rel: Relevance): string[] {
  const changed: string[] = [];
  const method = (m: string) => (m === 'HEAD' ? 'GET' : m);
  if (method(base.method) !== method(mutated.method)) changed.push('method');
  for (const name of rel.params) {
    for (const where of ['query', 'body'] as const) {
      const b = base[where].get(name);
      const m = mutated[where].get(name);
      if (same(b, m)) continue;
      const canon = rel.canonical?.[name];
      if (canon && b && m && same(b.map(canon), m.map(canon))) continue;
      // An empty value is an omitted parameter (RFC 6749 §3.1).
      if ((m === undefined || m.every((v) => v === '')) && rel.removable?.includes(name)) continue;
      changed.push(`${where}.${name}`);
    }
  }
  for (const h of rel.headers ?? []) if (!same(base.headers.get(h), mutated.headers.get(h))) changed.push(`header.${h}`);
  if (rel.cookie && !cookieKept(mutated, rel.cookie)) changed.push('cookie');
  if (rel.pathSecret !== undefined) {
    let path = mutated.path;
    try {
      path = decodeURIComponent(path);
    } catch {
      /* compared raw */
    }
    if (!path.includes(rel.pathSecret)) changed.push('path');
  }
  return changed;
}
