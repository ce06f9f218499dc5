/**
 * Mutation operators on a FuzzRequest: parameters (removal, duplication, renaming, values,
 * percent-encoding tricks, JWT-structured changes), raw bytes of the body or query, headers
 * (content type, framing, Authorization, cookies, oversized and odd headers), method and path.
 * Each returns a description, or undefined when it does not apply to the request.
 */
import type { KeyObject } from 'node:crypto';
import type { Rng } from './prng.ts';
import { enc, queryString, bodyBytes, type FuzzRequest, type Param } from './model.ts';
import { mutateJwt, type Claims, type Layer } from './jwt.ts';

export interface MutationContext {
  /** JWT layers of the parameters that carry JWTs (by name; `encoding` of the parameter value). */
  jwts: Record<string, { layer: Layer; encoding: 'compact' | 'base64url' }>;
  attacker: { key: KeyObject; did: string; jwk: Claims };
  /** Parameter values that a benign JWT mutation produced (accepted as unchanged by the oracle). */
  benign: Map<string, string>;
}

type Op = (rng: Rng, r: FuzzRequest, ctx: MutationContext) => string | undefined;

/** `wire`: framing, headers, method, path or raw query bytes — the HTTP parser may refuse the request before the app sees it. */
export type Category = 'param' | 'jwt' | 'body' | 'wire';
export interface Mutation {
  category: Category;
  description: string;
}

const JUNK = ['', ' ', 'null', 'undefined', '[]', '{}', '0', '-1', '1e309', 'true', '\u0000', '%00', '\r\nX-Injected: 1', '<script>alert(1)</script>', '"\'`', '../../../etc/passwd', 'javascript:alert(1)', 'https://evil.example/cb', 'openid4vp://?request_uri=https://evil.example/r', 'did:key:zDnaeWDWfqQv2Vxc9FxRNtpVHuXRzBpnUBhG6mqp6pNnojpyS', 'none', 'plain', 'S256', 'token', 'code id_token', 'eyJhbGciOiJub25lIn0.e30.', 'eyJ.eyJ.', 'a.b.c', '\ud800', '\ufffd\ufeff', '\u202eevil', 'é'.normalize('NFD'), '😀'.repeat(50)];

function containers(r: FuzzRequest): Param[][] {
  return [r.query, r.form].filter((c): c is Param[] => Array.isArray(c));
}
function pickParam(rng: Rng, r: FuzzRequest): { list: Param[]; index: number } | undefined {
  const lists = containers(r).filter((l) => l.length > 0);
  if (lists.length === 0) return undefined;
  const list = rng.pick(lists);
  return { list, index: rng.int(list.length) };
}
const randomChar = (rng: Rng) => rng.pick(['A', 'z', '0', '-', '_', '.', '=', '+', '/', '%', '&', ' ', '~', '\u00ff', '\u0100', '\ud83d\ude00', '\u0000', '"']);

function jwtParamValue(ctx: MutationContext, name: string, value: string): string | undefined {
  const spec = ctx.jwts[name];
  if (!spec) return undefined;
  return spec.encoding === 'base64url' ? Buffer.from(value, 'base64url').toString('utf8') : value;
}

const paramOps: Array<[number, string, Op]> = [
  [3, 'remove', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const [gone] = p.list.splice(p.index, 1);
    return `parameter ${gone!.name} removed`;
  }],
  [3, 'duplicate', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    const other = rng.chance(0.5) ? { ...src } : { name: src.name, value: rng.pick(JUNK) };
    p.list.splice(rng.chance(0.5) ? p.index : p.index + 1, 0, other);
    return `parameter ${src.name} sent twice (${other.value === src.value ? 'same value' : 'other value'})`;
  }],
  [2, 'rename', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    const old = src.name;
    src.name = rng.pick([old.toUpperCase(), `${old[0]!.toUpperCase()}${old.slice(1)}`, `${old}[]`, `${old} `, ` ${old}`, `${old}_`, `${old}\u0000`, old.replace(/_/g, '-'), `${old}.x`]);
    delete src.rawName;
    return `parameter ${old} renamed to ${JSON.stringify(src.name)}`;
  }],
  [2, 'empty', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    src.value = '';
    delete src.rawValue;
    return `parameter ${src.name} empty`;
  }],
  [3, 'junk value', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    src.value = rng.pick(JUNK);
    delete src.rawValue;
    return `parameter ${src.name} = ${JSON.stringify(src.value.slice(0, 40))}`;
  }],
  [2, 'huge value', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    const n = rng.pick([1_025, 4_097, 16_385, 60_000, 70_000]);
    src.value = rng.chance(0.5) ? `${src.value}${'A'.repeat(n)}` : 'A'.repeat(n);
    delete src.rawValue;
    return `parameter ${src.name} ${n}+ characters`;
  }],
  [3, 'char flip', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p || p.list[p.index]!.value.length === 0) return undefined;
    const src = p.list[p.index]!;
    const i = rng.int(src.value.length);
    src.value = `${src.value.slice(0, i)}${randomChar(rng)}${src.value.slice(i + 1)}`;
    delete src.rawValue;
    return `parameter ${src.name} character ${i} replaced`;
  }],
  [2, 'truncate value', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p || p.list[p.index]!.value.length === 0) return undefined;
    const src = p.list[p.index]!;
    const n = rng.int(src.value.length);
    src.value = src.value.slice(0, n);
    delete src.rawValue;
    return `parameter ${src.name} truncated to ${n}`;
  }],
  [1, 'append', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    src.value += rng.pick([' ', '\n', '%', '&x=1', '=', '.', '..', '\u0000', 'A']);
    delete src.rawValue;
    return `parameter ${src.name} with a suffix`;
  }],
  [3, 'percent-encoding', (rng, r) => {
    const p = pickParam(rng, r);
    if (!p) return undefined;
    const src = p.list[p.index]!;
    const v = src.value;
    const all = (s: string, lower: boolean) => [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')[lower ? 'toLowerCase' : 'toUpperCase']()}`).join('');
    const trick = rng.pick(['all', 'lower', 'name', 'double', 'invalid', 'overlong', 'plus', 'nul', 'raw-plus'] as const);
    switch (trick) {
      case 'all': src.rawValue = all(v, false); break; // same decoded value
      case 'lower': src.rawValue = all(v, true); break; // same decoded value
      case 'name': src.rawName = all(src.name, false); break; // same decoded name
      case 'double': src.rawValue = enc(v).replace(/%/g, '%25'); break;
      case 'invalid': src.rawValue = `${enc(v)}${rng.pick(['%', '%z', '%zz', '%G0', '%%'])}`; break;
      case 'overlong': src.rawValue = `${enc(v)}%C0%AE%E0%80%AF`; break;
      case 'plus': src.rawValue = enc(v).replace(/-/g, '+'); break;
      case 'nul': src.rawValue = `${enc(v)}%00`; break;
      case 'raw-plus': src.rawValue = v.replace(/ /g, '+').replace(/&/g, '%26').replace(/=/g, '%3D').replace(/%(?![0-9A-F]{2})/g, '%25'); break;
    }
    return `parameter ${src.name} percent-encoding trick ${trick}`;
  }],
  [1, 'unknown parameter', (rng, r) => {
    const lists = containers(r);
    if (lists.length === 0) return undefined;
    rng.pick(lists).push({ name: rng.pick(['x', 'client_secret', 'request_uri', 'resource', 'audience', 'prompt', 'max_age', '__proto__', 'constructor', 'response_mode', 'claims', 'dpop']), value: rng.pick(JUNK) || 'x' });
    return 'unknown parameter added';
  }],
  [1, 'reorder', (rng, r) => {
    const lists = containers(r).filter((l) => l.length > 1);
    if (lists.length === 0) return undefined;
    const l = rng.pick(lists);
    for (let i = l.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [l[i], l[j]] = [l[j]!, l[i]!];
    }
    return 'parameters reordered';
  }],
  [1, 'many parameters', (rng, r) => {
    const lists = containers(r);
    if (lists.length === 0) return undefined;
    const n = rng.pick([100, 1000, 5000]);
    const l = rng.pick(lists);
    for (let i = 0; i < n; i++) l.push({ name: `p${i}`, value: 'v' });
    return `${n} extra parameters`;
  }],
  [10, 'jwt', (rng, r, ctx) => {
    const candidates = containers(r).flatMap((l) => l.filter((p) => ctx.jwts[p.name] && jwtParamValue(ctx, p.name, p.value)?.split('.').length === 3));
    if (candidates.length === 0) return undefined;
    const p = rng.pick(candidates);
    const spec = ctx.jwts[p.name]!;
    const m = mutateJwt(rng, jwtParamValue(ctx, p.name, p.value)!, spec.layer, ctx.attacker);
    p.value = spec.encoding === 'base64url' ? Buffer.from(m.jwt).toString('base64url') : m.jwt;
    delete p.rawValue;
    if (m.benign) ctx.benign.set(p.name, p.value);
    return `${p.name} ${m.description}`;
  }],
];

function mutateBytes(rng: Rng, buf: Buffer): { buf: Buffer; what: string } {
  if (buf.length === 0) return { buf: rng.bytes(rng.range(1, 64)), what: 'random bytes' };
  const i = rng.int(buf.length);
  const op = rng.pick(['flip-byte', 'flip-bit', 'truncate', 'duplicate-slice', 'insert', 'delete-slice', 'double', 'random'] as const);
  const b = Buffer.from(buf);
  switch (op) {
    case 'flip-byte': b[i] = rng.int(256); return { buf: b, what: `byte ${i} replaced` };
    case 'flip-bit': b[i] = b[i]! ^ (1 << rng.int(8)); return { buf: b, what: `bit flipped in byte ${i}` };
    case 'truncate': return { buf: b.subarray(0, i), what: `truncated at ${i}` };
    case 'duplicate-slice': {
      const n = rng.range(1, Math.min(512, buf.length - i));
      return { buf: Buffer.concat([b.subarray(0, i + n), b.subarray(i, i + n), b.subarray(i + n)]), what: `${n} bytes at ${i} duplicated` };
    }
    case 'insert': return { buf: Buffer.concat([b.subarray(0, i), rng.bytes(rng.range(1, 16)), b.subarray(i)]), what: `bytes inserted at ${i}` };
    case 'delete-slice': {
      const n = rng.range(1, Math.min(512, buf.length - i));
      return { buf: Buffer.concat([b.subarray(0, i), b.subarray(i + n)]), what: `${n} bytes at ${i} deleted` };
    }
    case 'double': return { buf: Buffer.concat([b, Buffer.from('&'), b]), what: 'body sent twice' };
    case 'random': return { buf: rng.bytes(rng.range(1, 2048)), what: 'random bytes' };
  }
}

const byteOps: Array<[number, string, Op]> = [
  [4, 'body bytes', (rng, r) => {
    const body = bodyBytes(r);
    if (body === undefined) return undefined;
    const m = mutateBytes(rng, body);
    r.rawBody = m.buf;
    delete r.form;
    return `body ${m.what}`;
  }],
  [2, 'query bytes', (rng, r) => {
    const q = queryString(r);
    if (q === undefined) return undefined;
    const m = mutateBytes(rng, Buffer.from(q, 'latin1'));
    // Keep the request line parseable-ish: the server's parser decides what is acceptable.
    r.rawQuery = m.buf.toString('latin1').replace(/[\r\n ]/g, '%20');
    delete r.query;
    return `query ${m.what}`;
  }],
  [1, 'huge body', (rng, r) => {
    if (r.method !== 'POST') return undefined;
    r.rawBody = Buffer.concat([bodyBytes(r) ?? Buffer.alloc(0), Buffer.from(`&pad=${'A'.repeat(rng.pick([70_000, 200_000, 1_100_000]))}`)]);
    delete r.form;
    return 'body larger than the limit';
  }],
];

function setHeader(r: FuzzRequest, name: string, value: string | undefined): void {
  r.headers = r.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
  if (value !== undefined) r.headers.push([name, value]);
}

const headerOps: Array<[number, string, Op]> = [
  [3, 'content-type', (rng, r) => {
    if (r.method !== 'POST') return undefined;
    const v = rng.pick([undefined, 'text/plain', 'application/json', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded; charset=utf-8', 'APPLICATION/X-WWW-FORM-URLENCODED', 'application/x-www-form-urlencodedx', 'application/x-www-form-urlencoded;;;', `application/x-www-form-urlencoded; x=${'a'.repeat(5000)}`, '', '*/*', 'application/jwt']);
    if (rng.chance(0.15)) {
      r.headers.push(['Content-Type', v ?? 'text/plain']);
      return 'second Content-Type header';
    }
    setHeader(r, 'Content-Type', v);
    return `Content-Type ${JSON.stringify(v ?? 'removed')}`;
  }],
  [3, 'framing', (rng, r) => {
    const len = bodyBytes(r)?.length ?? 0;
    const op = rng.pick(['longer', 'shorter', 'omit', 'bad', 'negative', 'double', 'chunked', 'chunked+cl', 'zero'] as const);
    switch (op) {
      case 'longer': r.contentLength = len + rng.range(1, 100); r.halfClose = true; return 'Content-Length larger than the body (then end of stream)';
      case 'shorter': if (len === 0) return undefined; r.contentLength = rng.int(len); return 'Content-Length shorter than the body';
      case 'omit': if (len === 0) return undefined; r.contentLength = 'omit'; return 'no Content-Length';
      case 'zero': r.contentLength = 0; return 'Content-Length 0';
      case 'bad': r.contentLength = 'omit'; r.headers.push(['Content-Length', rng.pick(['abc', '1e3', '0x10', ' ', '99999999999999999999'])]); r.halfClose = true; return 'unparseable Content-Length';
      case 'negative': r.contentLength = 'omit'; r.headers.push(['Content-Length', '-1']); return 'negative Content-Length';
      case 'double': r.contentLength = 'omit'; r.headers.push(['Content-Length', String(len)], ['Content-Length', String(len + 1)]); r.halfClose = true; return 'two different Content-Length headers';
      case 'chunked': if (len === 0) return undefined; r.chunked = rng.range(1, 8); return 'body sent chunked';
      case 'chunked+cl': if (len === 0) return undefined; r.chunked = 2; r.headers.push(['Content-Length', String(len)]); return 'Transfer-Encoding chunked and Content-Length';
    }
  }],
  [2, 'authorization', (rng, r) => {
    const v = rng.pick([`Basic ${Buffer.from('client:secret').toString('base64')}`, 'Basic', 'Basic !!!', 'Bearer eyJhbGciOiJub25lIn0.e30.', 'DPoP x', `Bearer ${'A'.repeat(8000)}`, '']);
    setHeader(r, 'Authorization', v);
    return `Authorization ${JSON.stringify(v.slice(0, 30))}`;
  }],
  [3, 'cookie', (rng, r) => {
    const cookie = r.headers.find(([k]) => k.toLowerCase() === 'cookie');
    const op = rng.pick(['remove', 'flip', 'junk-same-name-first', 'junk-same-name-last', 'huge', 'many', 'quoted', 'other'] as const);
    if (!cookie && op !== 'huge' && op !== 'many' && op !== 'other') return undefined;
    const pair = cookie?.[1] ?? '';
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    switch (op) {
      case 'remove': setHeader(r, 'Cookie', undefined); return 'cookie removed';
      case 'flip': {
        const i = rng.int(Math.max(1, value.length));
        setHeader(r, 'Cookie', `${name}=${value.slice(0, i)}${rng.pick(['A', '_', '-', '.', '0'])}${value.slice(i + 1)}`);
        return 'cookie value changed';
      }
      case 'junk-same-name-first': setHeader(r, 'Cookie', `${name}=junk.junk; ${pair}`); return 'junk cookie of the same name first';
      case 'junk-same-name-last': setHeader(r, 'Cookie', `${pair}; ${name}=${'x'.repeat(300)}`); return 'junk cookie of the same name last';
      case 'huge': setHeader(r, 'Cookie', `${pair ? `${pair}; ` : ''}big=${'x'.repeat(rng.pick([4000, 15000]))}`); return 'huge cookie';
      case 'many': setHeader(r, 'Cookie', [pair, ...Array.from({ length: 200 }, (_, i) => `c${i}=v`)].filter(Boolean).join('; ')); return 'many cookies';
      case 'quoted': setHeader(r, 'Cookie', `${name}="${value}"`); return 'cookie value quoted';
      case 'other': setHeader(r, 'Cookie', `${pair ? `${pair}; ` : ''}dv_login_AAAAAAAAAAAAAAAA=x.y`); return 'another login cookie';
    }
  }],
  [2, 'odd header', (rng, r) => {
    const [k, v] = rng.pick<[string, string]>([
      ['Accept-Language', rng.pick(['*', 'xx-YY;q=2', ';;;', 'es'.repeat(3000), '\u00e9s'])],
      ['X-Forwarded-For', rng.pick(['1.2.3.4', 'garbage', '::1, 10.0.0.1', ' , '])],
      ['X-Request-Id', rng.pick(['x'.repeat(5000), '', '../../', '\u00ff'])],
      ['Origin', 'https://evil.example'],
      ['Host', rng.pick(['evil.example', '', 'a'.repeat(3000)])],
      ['User-Agent', 'x'.repeat(rng.pick([100, 8000]))],
      ['Accept', rng.pick(['text/html', 'application/json;q=0', '*/*;q=x'])],
      ['Expect', '100-continue'],
      ['X-Fuzz', 'a\u0001b'],
      ['X-Huge', 'h'.repeat(rng.pick([9000, 20_000, 70_000]))],
    ]);
    if (k === 'Host') setHeader(r, 'Host', v);
    else r.headers.push([k, v]);
    return `header ${k} (${v.length} characters)`;
  }],
  [1, 'method', (rng, r) => {
    const old = r.method;
    r.method = rng.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'get', 'TRACE'].filter((m) => m !== old));
    if (r.method === 'GET' || r.method === 'HEAD') {
      // A GET with a body is odd but allowed on the wire; keep it.
    }
    return `method ${old} → ${r.method}`;
  }],
  [1, 'path', (rng, r) => {
    const old = r.path;
    const i = rng.int(old.length);
    r.path = rng.pick([`${old}/`, `/${old}`, old.toUpperCase(), `${old.slice(0, i)}%${old.charCodeAt(i).toString(16).padStart(2, '0')}${old.slice(i + 1)}`, `${old}/..`, `${old};x=1`, `${old}%00`, `${old}/%2e%2e/`, `${old}%2F`, old.replace(/\/[^/]*$/, '/%2e%2e/x')]);
    return `path ${JSON.stringify(r.path.slice(0, 40))}…${JSON.stringify(r.path.slice(-30))}`;
  }],
];

const categoryOf = (name: string): Category => (name === 'jwt' ? 'jwt' : paramOps.some((o) => o[1] === name) ? 'param' : name === 'body bytes' || name === 'huge body' ? 'body' : 'wire');
const ALL = [...paramOps, ...byteOps, ...headerOps];

/** Applies 1–3 random mutations; returns their descriptions (never empty). */
export function mutate(rng: Rng, r: FuzzRequest, ctx: MutationContext): Mutation[] {
  const count = rng.weighted([[7, 1], [2, 2], [1, 3]] as const);
  // Framing refers to the final body length, so it is applied after the other mutations.
  const chosen = Array.from({ length: count * 3 }, () => rng.weighted(ALL.map((o) => [o[0], o] as const)));
  chosen.sort((a, b) => Number(a[1] === 'framing') - Number(b[1] === 'framing'));
  const done: Mutation[] = [];
  for (const [, name, op] of chosen) {
    if (done.length >= count) break;
    if (name === 'framing' && done.some((m) => m.description.includes('Content-Length') || m.description.includes('chunked'))) continue;
    const d = op(rng, r, ctx);
    if (d) done.push({ category: categoryOf(name), description: d });
  }
  return done;
}
