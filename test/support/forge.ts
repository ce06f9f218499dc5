/** Builders for hand-crafted (often hostile) JWTs in negative tests. */
import { createHmac, type KeyObject } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core';
import { ISSUER } from './world.ts';

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs any header/payload with node:crypto (the header may be hostile, the alg must fit the key). */
export function sign(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  return signJws(header as JwsHeader, payload, key);
}

/** An unsigned compact JWT with an arbitrary header (alg none and friends). */
export function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>, signature = ''): string {
  return `${b64u(header)}.${b64u(payload)}.${signature}`;
}

/** HS256 with an arbitrary secret (algorithm-confusion tests). */
export function hmac(header: Record<string, unknown>, payload: Record<string, unknown>, secret: Buffer | string): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function assertionClaims(clientId: string, vpJwt: string, nowMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  return { iss: clientId, sub: clientId, aud: ISSUER, iat, exp: iat + 60, jti: crypto.randomUUID(), vp_token: Buffer.from(vpJwt).toString('base64'), ...extra };
}

export function tokenForm(clientId: string | undefined, assertion: string, extra: Record<string, string> = {}): URLSearchParams {
  const f = new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion, ...extra });
  if (clientId !== undefined) f.set('client_id', clientId);
  return f;
}
