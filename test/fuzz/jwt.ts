/**
 * Structured mutations inside JWTs. A JWT parameter is described as a chain of layers (client
 * assertion → vp_token claim → VP → verifiableCredential[0] → VC; or a wallet VP → VC; or a
 * request object), each with its legitimate signing key. A mutation picks one layer, changes
 * it, and re-signs every outer layer with its legitimate key, so the change reaches the inner
 * check instead of being stopped by the outer signature. Each mutation says whether it is a
 * security-relevant change (`bad`: no token may result) or a benign one (`benign`: a token may
 * result — a fresh jti, an unknown claim, another accepted encoding of the vp_token).
 */
import { createHmac, type KeyObject } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core';
import type { Rng } from './prng.ts';

export type Claims = Record<string, unknown>;

export interface Layer {
  name: string;
  key: KeyObject;
  /** The embedded child JWT (read from / written into this layer's payload). */
  child?: { layer: Layer; get(p: Claims): string; set(p: Claims, jwt: string): void };
  /** Claim edits that must make the request fail, re-signed with the legitimate key. */
  bad: Array<[string, (p: Claims, h: Claims) => void]>;
  /** Claim edits that may succeed, re-signed with the legitimate key. */
  benign: Array<[string, (p: Claims, h: Claims) => void]>;
}

export interface JwtMutation {
  jwt: string;
  description: string;
  /** true: a legitimately re-signed benign change; the caller still checks the other parts. */
  benign: boolean;
}

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
export const decodeJwt = (jwt: string): { header: Claims; payload: Claims } => {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString('utf8')) as Claims, payload: JSON.parse(Buffer.from(p!, 'base64url').toString('utf8')) as Claims };
};
const resign = (header: Claims, payload: Claims, key: KeyObject) => signJws(header as JwsHeader, payload, key);

function nested(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? { a: v } : [v];
  return v;
}

/** Benign edits any layer supports. */
export function commonBenign(rng: Rng): Layer['benign'] {
  return [
    ['unknown claim', (p) => void (p.x_fuzz = 'hello')],
    ['unicode claim', (p) => void (p.x_fuzz = '\u202e\u0000\ud83d\ude00\u00e9\u0301')],
    ['deeply nested claim', (p) => void (p.x_fuzz = nested(rng.range(20, 300)))],
    ['huge claim', (p) => void (p.x_fuzz = 'A'.repeat(30_000))],
  ];
}

/** Structural changes of one compact JWT that no verifier may accept. */
function structural(rng: Rng, jwt: string, attacker: { key: KeyObject; did: string; jwk: Claims }): { jwt: string; description: string } {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const { header, payload } = decodeJwt(jwt);
  const ops: Array<[string, () => string]> = [
    ['signature bit flipped', () => {
      const sig = Buffer.from(s, 'base64url');
      const i = rng.int(sig.length);
      sig[i] = sig[i]! ^ (1 << rng.int(8));
      return `${h}.${p}.${sig.toString('base64url')}`;
    }],
    ['signature removed', () => `${h}.${p}.`],
    ['signature truncated', () => `${h}.${p}.${s.slice(0, rng.int(s.length))}`],
    ['segments swapped', () => `${p}.${h}.${s}`],
    ['five segments', () => `${h}.${p}.${s}.${s}.${s}`],
    ['standard base64 segments', () => `${Buffer.from(h, 'base64url').toString('base64')}.${Buffer.from(p, 'base64url').toString('base64')}.${Buffer.from(s, 'base64url').toString('base64')}`],
    ['payload claim changed, not re-signed', () => {
      const keys = Object.keys(payload);
      const k = keys.length ? rng.pick(keys) : 'x';
      return `${h}.${b64u({ ...payload, [k]: rng.pick(['', 0, null, 'did:key:zDnaeAttacker', [], {}, 9_999_999_999]) })}.${s}`;
    }],
    ['header changed, not re-signed', () => `${b64u({ ...header, [rng.pick(['alg', 'kid', 'typ', 'x5c', 'crit', 'jku'])]: rng.pick(['none', 'HS256', 'RS256', 'https://evil.example/jwks', ['sigT', 'b64'], attacker.did]) })}.${p}.${s}`],
    ['alg none', () => `${b64u({ ...header, alg: 'none' })}.${p}.`],
    ['HS256 with a public value as secret', () => {
      const input = `${b64u({ ...header, alg: 'HS256' })}.${p}`;
      return `${input}.${createHmac('sha256', String(header.kid ?? payload.iss ?? 'secret')).update(input).digest('base64url')}`;
    }],
    ["re-signed with the attacker's key", () => resign({ ...header, alg: 'ES256', ...(typeof header.kid === 'string' && header.kid.startsWith('did:key:') ? { kid: attacker.did } : {}) }, payload, attacker.key)],
    ["attacker's key embedded as jwk", () => resign({ alg: 'ES256', typ: header.typ ?? 'JWT', jwk: attacker.jwk }, payload, attacker.key)],
    ["attacker's key, same kid", () => resign({ ...header, alg: 'ES256' }, payload, attacker.key)],
    ['truncated', () => jwt.slice(0, rng.int(jwt.length))],
    ['non-ASCII character in a segment', () => {
      const i = rng.int(p.length);
      return `${h}.${p.slice(0, i)}${rng.pick(['\u0435', '\u00e9', '\ufeff', '\u0000', '%', ' '])}${p.slice(i + 1)}.${s}`;
    }],
    ['doubled', () => `${jwt}${jwt}`],
  ];
  const [description, make] = rng.pick(ops);
  return { jwt: make(), description };
}

/** Mutates `jwt` (described by `top`) at a random layer. */
export function mutateJwt(rng: Rng, jwt: string, top: Layer, attacker: { key: KeyObject; did: string; jwk: Claims }): JwtMutation {
  try {
    return mutateLayers(rng, jwt, top, attacker);
  } catch {
    // Already broken by an earlier mutation (not decodable, or a header no key fits): break it further.
    try {
      const s = structural(rng, jwt, attacker);
      return { jwt: s.jwt, description: `${top.name}: ${s.description}`, benign: s.jwt === jwt };
    } catch {
      const cut = jwt.slice(0, rng.int(jwt.length));
      return { jwt: cut, description: `${top.name}: truncated`, benign: false };
    }
  }
}

function mutateLayers(rng: Rng, jwt: string, top: Layer, attacker: { key: KeyObject; did: string; jwk: Claims }): JwtMutation {
  // Walk down: the chain of (layer, compact) pairs.
  const chain: Array<{ layer: Layer; jwt: string }> = [{ layer: top, jwt }];
  for (;;) {
    const last = chain[chain.length - 1]!;
    if (!last.layer.child) break;
    chain.push({ layer: last.layer.child.layer, jwt: last.layer.child.get(decodeJwt(last.jwt).payload) });
  }
  const depth = rng.int(chain.length);
  const target = chain[depth]!;
  const kind = rng.weighted([[5, 'structural'], [3, 'bad'], [2, 'benign']] as const);
  let mutated: string;
  let description: string;
  let benign = false;
  const { header, payload } = decodeJwt(target.jwt);
  if (kind === 'structural' || (kind === 'bad' && target.layer.bad.length === 0)) {
    ({ jwt: mutated, description } = structural(rng, target.jwt, attacker));
  } else {
    const [name, edit] = rng.pick(kind === 'bad' ? target.layer.bad : [...target.layer.benign, ...commonBenign(rng)]);
    const before = JSON.stringify([header, payload]);
    edit(payload, header);
    mutated = resign(header, payload, target.layer.key);
    description = `${name} (re-signed)`;
    // An edit that changed nothing (e.g. a claim set to the value it had) is no mutation.
    benign = kind === 'benign' || JSON.stringify([header, payload]) === before;
  }
  if (mutated === target.jwt) {
    benign = true;
    description += ' (no change)';
  }
  // Re-sign the outer layers around the mutated one with their legitimate keys.
  for (let i = depth - 1; i >= 0; i--) {
    const outer = chain[i]!;
    const d = decodeJwt(outer.jwt);
    outer.layer.child!.set(d.payload, mutated);
    mutated = resign(d.header, d.payload, outer.layer.key);
  }
  return { jwt: mutated, description: `${target.layer.name}: ${description}`, benign };
}
