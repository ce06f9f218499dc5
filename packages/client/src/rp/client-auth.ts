/**
 * Client authentication at the token endpoint: `private_key_jwt` (RFC 7523; DOME registers it as
 * "client_secret_jwt" with ES256) when a key is given, a public client (`client_id` only) otherwise.
 * Assertion: header `{alg: ES256, typ: JWT, kid}`, claims `iss` = `sub` = client_id, `aud` = the
 * verifier issuer (a single string, as the verifier requires), `iat`, `exp` (+60 s), fresh `jti`.
 */
import { SignJWT } from 'jose';
import { isDidKey } from '@dome-verifier/did-key';
import type { MachineKeyInput } from '../keys.ts';
import { CLIENT_ASSERTION_TYPE } from '../request-token.ts';
import { nowSeconds, uuid } from '../sign.ts';
import { resolveSigningKeySync } from '../signing-key.ts';

export interface ClientAuthOptions {
  clientId: string;
  /** Private key of a confidential client; without it the client is public. */
  key?: MachineKeyInput;
  /** Assertion header kid; default: the client_id when it is a did:key. */
  kid?: string;
  /** Default 60 (the verifier accepts at most 300). */
  assertionLifetimeSeconds?: number;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

export interface CreatePrivateKeyJwtOptions {
  clientId: string;
  key: MachineKeyInput;
  /** The verifier issuer identifier. */
  audience: string;
  kid?: string;
  lifetimeSeconds?: number;
  now?: () => number;
}

export async function createPrivateKeyJwt(o: CreatePrivateKeyJwtOptions): Promise<string> {
  const { signingKey } = resolveSigningKeySync(o.key);
  const iat = nowSeconds(o.now);
  const kid = o.kid ?? (isDidKey(o.clientId) ? o.clientId : undefined);
  return new SignJWT({ iss: o.clientId, sub: o.clientId, aud: o.audience, iat, exp: iat + (o.lifetimeSeconds ?? 60), jti: uuid() })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...(kid !== undefined ? { kid } : {}) })
    .sign(signingKey);
}

/** Adds `client_id` and, for a confidential client, `client_assertion_type` + `client_assertion` to the form. */
export async function addClientAuthentication(body: URLSearchParams, issuer: string, o: ClientAuthOptions): Promise<void> {
  if (typeof o.clientId !== 'string' || o.clientId === '') throw new TypeError('clientId is required');
  body.set('client_id', o.clientId);
  if (o.key === undefined) return;
  const assertion = await createPrivateKeyJwt({
    clientId: o.clientId,
    key: o.key,
    audience: issuer,
    ...(o.kid !== undefined ? { kid: o.kid } : {}),
    ...(o.assertionLifetimeSeconds !== undefined ? { lifetimeSeconds: o.assertionLifetimeSeconds } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
  body.set('client_assertion', assertion);
}
