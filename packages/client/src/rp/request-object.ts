/**
 * Signed authorization request object (RFC 9101, "JAR") for a did:key relying party, ready to be
 * served at the RP's `request_uri` (`Content-Type: application/oauth-authz-req+jwt`) or sent by
 * value as `request`. ES256, header `typ: oauth-authz-req+jwt`, `kid` (default: the client_id when
 * it is a did:key); claims `iss` = `client_id`, `aud` = the verifier issuer, `iat`/`nbf`/`exp`,
 * `jti`, and the authorization parameters (RFC 9101; docs/integration-confidential-client.md §2).
 */
import { SignJWT } from 'jose';
import { isDidKey } from '@dome-verifier/did-key';
import type { MachineKeyInput } from '../keys.ts';
import { nowSeconds, uuid } from '../sign.ts';
import { resolveSigningKeySync } from '../signing-key.ts';
import { REQUEST_OBJECT_TYP } from '../wallet/request-object.ts';

/** The verifier refuses request objects valid for longer than 60 minutes. */
const MAX_LIFETIME_SECONDS = 3600;

export interface CreateRequestObjectOptions {
  clientId: string;
  /** The RP's P-256 private key (KeyObject/CryptoKey, loaded key, JWK, PEM or hex). */
  key: MachineKeyInput;
  /** The verifier's issuer identifier (metadata `issuer`): the `aud`. */
  issuer: string;
  redirectUri: string;
  scope: string;
  state: string;
  nonce: string;
  /** S256 challenge (`createPkce().challenge`). */
  codeChallenge?: string;
  /** Default 300, at most 3600. */
  lifetimeSeconds?: number;
  /** Header kid; default: the client_id when it is a did:key, none otherwise. */
  kid?: string;
  /** Additional claims (e.g. `claims`, `ui_locales`); the standard ones cannot be overridden. */
  extraClaims?: Record<string, unknown>;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

function requireText(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`createRequestObject: ${name} is required`);
  return value;
}

export async function createRequestObject(o: CreateRequestObjectOptions): Promise<string> {
  const clientId = requireText(o.clientId, 'clientId');
  const lifetime = o.lifetimeSeconds ?? 300;
  if (!Number.isInteger(lifetime) || lifetime <= 0 || lifetime > MAX_LIFETIME_SECONDS) {
    throw new TypeError(`createRequestObject: lifetimeSeconds must be an integer in 1..${MAX_LIFETIME_SECONDS}`);
  }
  const { signingKey } = resolveSigningKeySync(o.key);
  const iat = nowSeconds(o.now);
  const payload: Record<string, unknown> = {
    ...o.extraClaims,
    iss: clientId,
    aud: requireText(o.issuer, 'issuer'),
    client_id: clientId,
    response_type: 'code',
    redirect_uri: requireText(o.redirectUri, 'redirectUri'),
    scope: requireText(o.scope, 'scope'),
    state: requireText(o.state, 'state'),
    nonce: requireText(o.nonce, 'nonce'),
    iat,
    nbf: iat,
    exp: iat + lifetime,
    jti: uuid(),
  };
  if (o.codeChallenge !== undefined) {
    payload.code_challenge = requireText(o.codeChallenge, 'codeChallenge');
    payload.code_challenge_method = 'S256';
  }
  const kid = o.kid ?? (isDidKey(clientId) ? clientId : undefined);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', typ: REQUEST_OBJECT_TYP, ...(kid !== undefined ? { kid } : {}) })
    .sign(signingKey);
}
