/**
 * One-call M2M token request builder (CLI `token` command, tests): VP around the
 * LEARCredentialMachine, client assertion around the VP, form body. The three client dialects
 * the verifier must accept (docs/integration-m2m.md) can be produced:
 *  - 'kid'       — IN2 issuer: header kid = bare did:key, vp_token standard base64 with padding;
 *  - 'jwk'       — IN2 Java client SDK: header jwk (no kid) on VP and assertion, standard base64;
 *  - 'base64url' — header kid, vp_token URL-safe base64 without padding (POR wording, wallets).
 */
import { KeyObject } from 'node:crypto';
import { createVpJwt } from './create-vp-jwt.ts';
import { createClientAssertion, type VpTokenEncoding } from './create-client-assertion.ts';
import { buildTokenRequestBody } from './request-token.ts';
import { isLoadedKey, loadP256PrivateKey, type MachineKeyInput, type SigningKey } from './keys.ts';
import { publicJwkOf, type HeaderStyle } from './sign.ts';
import { jwkToDidKey } from '@dome-verifier/did-key';

export type MachineDialect = 'kid' | 'jwk' | 'base64url';

export interface CreateMachineTokenRequestOptions {
  /** Verifier URL (`verifier.backend.url`): assertion `aud`; token endpoint = issuer + '/oidc/token'. */
  issuer: string;
  /** Default: the did:key of `key`. */
  clientId?: string;
  /** Machine private key: KeyObject/CryptoKey, loaded key, JWK (object or JSON), PEM or hex scalar. */
  key: MachineKeyInput;
  /** LEARCredentialMachine as compact VC-JWT, or base64/base64url of it. */
  credential: string;
  /** Default 'kid'. */
  dialect?: MachineDialect;
  scope?: string;
  /** Optional VP `aud` (IN2 sends none; the DOME KB example uses the token endpoint). */
  vpAudience?: string;
  vpLifetimeSeconds?: number;
  assertionLifetimeSeconds?: number;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

export interface MachineTokenRequest {
  tokenEndpoint: string;
  clientId: string;
  vpJwt: string;
  clientAssertion: string;
  body: URLSearchParams;
}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const B64_RE = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Returns the compact VC-JWT: as is when it already looks like one, else base64-decoded. */
export function normaliseCredential(credential: string): string {
  const text = credential.trim();
  if (JWT_RE.test(text)) return text;
  const compact = text.replace(/\s+/g, '');
  if (B64_RE.test(compact)) {
    const decoded = Buffer.from(compact.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), 'base64url').toString('utf8').trim();
    if (JWT_RE.test(decoded)) return decoded;
  }
  throw new TypeError('the credential is neither a compact VC-JWT nor base64 of one');
}

function toSigningKey(key: MachineKeyInput): { signingKey: SigningKey; did?: string } {
  if (isLoadedKey(key)) return { signingKey: key.privateKey, did: key.did };
  if (key instanceof KeyObject || typeof key === 'string' || !('type' in key && 'algorithm' in key)) {
    const loaded = loadP256PrivateKey(key as KeyObject | Record<string, unknown> | string);
    return { signingKey: loaded.privateKey, did: loaded.did };
  }
  return { signingKey: key as SigningKey };
}

export async function createMachineTokenRequest(o: CreateMachineTokenRequestOptions): Promise<MachineTokenRequest> {
  const dialect = o.dialect ?? 'kid';
  const { signingKey, did: keyDid } = toSigningKey(o.key);
  const did = keyDid ?? jwkToDidKey(await publicJwkOf(signingKey));
  const clientId = o.clientId ?? did;
  const headerStyle: HeaderStyle = dialect === 'jwk' ? 'jwk' : 'kid';
  const encoding: VpTokenEncoding = dialect === 'base64url' ? 'base64url' : 'base64';
  const vpJwt = await createVpJwt({
    credentials: [normaliseCredential(o.credential)],
    holderKey: signingKey,
    holderDid: did,
    headerStyle,
    ...(o.vpAudience !== undefined ? { audience: o.vpAudience } : {}),
    ...(o.vpLifetimeSeconds !== undefined ? { lifetimeSeconds: o.vpLifetimeSeconds } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  const clientAssertion = await createClientAssertion({
    clientId,
    key: signingKey,
    audience: o.issuer,
    vpJwt,
    vpTokenEncoding: encoding,
    headerStyle,
    ...(o.assertionLifetimeSeconds !== undefined ? { lifetimeSeconds: o.assertionLifetimeSeconds } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  const body = buildTokenRequestBody({ clientId, clientAssertion, ...(o.scope !== undefined ? { scope: o.scope } : {}) });
  return { tokenEndpoint: `${o.issuer.replace(/\/+$/, '')}/oidc/token`, clientId, vpJwt, clientAssertion, body };
}
