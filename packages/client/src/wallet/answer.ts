/**
 * The test wallet's answer (OpenID4VP `direct_post`): a VP JWT built exactly as the DOME
 * wallet builds it (WAL `PresentationServiceImpl`, `SignerServiceImpl`), posted `direct_post`
 * as a form with `state`, `vp_token` = base64url-no-pad(VP JWT) and `presentation_submission`.
 */
import { KeyObject } from 'node:crypto';
import { decodeJwt, SignJWT, type JWTPayload } from 'jose';
import { jwkToDidKey } from '@dome-verifier/did-key';
import { isLoadedKey, KeyLoadError, loadP256PrivateKey, type MachineKeyInput, type SigningKey } from '../keys.ts';
import { VP_CONTEXT_V1 } from '../create-vp-jwt.ts';
import { encodeVpToken } from '../create-client-assertion.ts';
import { normaliseCredential } from '../machine-token-request.ts';
import { nowSeconds, publicJwkOf, uuid } from '../sign.ts';
import { parseOpenId4VpUrl } from './parse-url.ts';
import { fetchRequestObject, type VerifiedRequestObject } from './request-object.ts';
import { WalletError } from './wallet-error.ts';

/** What the DOME wallet puts in the VP `aud`. */
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';
/** VP JWT lifetime of the DOME wallet (seconds). */
export const WALLET_VP_LIFETIME_SECONDS = 180;
const DEFAULT_TIMEOUT_MS = 15_000;

export interface WalletTamper {
  /** VP `nonce` instead of the request object's (e.g. a replayed nonce). */
  nonce?: string;
  /** VP `aud` (wins over `WalletOptions.audience`). */
  audience?: string;
  /** Posted `state` instead of the request object's. */
  state?: string;
  /** Posted `vp_token` verbatim instead of base64url(VP JWT). */
  vpToken?: string;
  /** Leave the `nonce` claim out of the VP. */
  omitNonce?: boolean;
}

export interface WalletOptions {
  /** The holder's P-256 private key: KeyObject/CryptoKey, loaded key, JWK (object or JSON), PEM or hex scalar. */
  key: KeyObject | SigningKey | MachineKeyInput;
  /** LEARCredentialEmployee as compact VC-JWT, or base64/base64url of it. */
  credential: string;
  fetch?: typeof fetch;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
  /** VP `aud`; default 'https://self-issued.me/v2' (what the DOME wallet sends). */
  audience?: string;
  /** Per request (GET request_uri, POST response_uri); default 15000 ms. */
  timeoutMs?: number;
  /** Test hooks to produce hostile answers (replayed nonce, wrong aud, other state, tampering). */
  tamper?: WalletTamper;
}

export interface WalletAnswer {
  /** HTTP status of POST response_uri (4xx/5xx are returned, not thrown). */
  status: number;
  /** Response body text (the reference verifier answers 200 with an empty body). */
  body: string;
  /** `Location` of a 3xx answer (the DOME wallet follows none; it reports it). */
  location?: string;
  requestObject: VerifiedRequestObject;
  /** The signed VP JWT (before any `tamper.vpToken` replacement). */
  vpJwt: string;
  /** The form as posted. */
  form: URLSearchParams;
}

export interface CreateWalletVpJwtOptions {
  key: KeyObject | SigningKey | MachineKeyInput;
  credential: string;
  /** VP `nonce`; omitted when undefined (the DOME wallet drops a null nonce). */
  nonce?: string;
  /** Default 'https://self-issued.me/v2'. */
  audience?: string;
  now?: () => number;
}

async function resolveHolderKey(key: KeyObject | SigningKey | MachineKeyInput): Promise<{ signingKey: SigningKey; did: string }> {
  try {
    if (isLoadedKey(key)) return { signingKey: key.privateKey, did: key.did };
    if (key instanceof KeyObject || typeof key === 'string' || !('type' in key && 'algorithm' in key)) {
      const loaded = loadP256PrivateKey(key as KeyObject | Record<string, unknown> | string);
      return { signingKey: loaded.privateKey, did: loaded.did };
    }
    const signingKey = key as SigningKey; // WebCrypto CryptoKey
    return { signingKey, did: jwkToDidKey(await publicJwkOf(signingKey)) };
  } catch (e) {
    const detail = e instanceof KeyLoadError || e instanceof TypeError ? e.message : 'not a usable P-256 private key';
    throw new WalletError('bad_key', `holder key: ${detail}`, { cause: e });
  }
}

/** `<did>#<method-specific id>` — the DOME wallet's VP header kid (`SignerServiceImpl#extractAfterPattern`). */
export function walletKid(did: string): string {
  const m = /^did:[^:]+:(.*)$/.exec(did);
  return m ? `${did}#${m[1]}` : did;
}

function credentialId(vcJwt: string): string | undefined {
  try {
    const payload = decodeJwt(vcJwt);
    const vc = payload.vc as { id?: unknown } | undefined;
    if (typeof vc?.id === 'string') return vc.id;
    return typeof payload.jti === 'string' ? payload.jti : undefined;
  } catch {
    return undefined;
  }
}

interface Holder {
  signingKey: SigningKey;
  did: string;
  vcJwt: string;
}

async function resolveHolder(key: CreateWalletVpJwtOptions['key'], credential: string): Promise<Holder> {
  const { signingKey, did } = await resolveHolderKey(key);
  try {
    return { signingKey, did, vcJwt: normaliseCredential(credential) };
  } catch (e) {
    throw new WalletError('bad_credential', e instanceof Error ? e.message : 'unreadable credential', { cause: e });
  }
}

async function signWalletVp(h: Holder, o: { nonce?: string | undefined; audience?: string | undefined; now?: (() => number) | undefined }): Promise<{ vpJwt: string; vpId: string }> {
  const iat = nowSeconds(o.now);
  const vpId = `urn:uuid:${uuid()}`;
  const payload: Record<string, unknown> = {
    iss: h.did,
    sub: h.did,
    aud: o.audience ?? SELF_ISSUED_AUDIENCE,
    nbf: iat,
    iat,
    exp: iat + WALLET_VP_LIFETIME_SECONDS,
    jti: vpId,
  };
  if (o.nonce !== undefined) payload.nonce = o.nonce;
  payload.vp = {
    '@context': [VP_CONTEXT_V1],
    holder: h.did,
    id: vpId,
    type: ['VerifiablePresentation'],
    verifiableCredential: [h.vcJwt],
  };
  const vpJwt = await new SignJWT(payload as JWTPayload)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: walletKid(h.did) })
    .sign(h.signingKey);
  return { vpJwt, vpId };
}

/**
 * VP JWT as the DOME wallet signs it: header `{alg:'ES256', typ:'JWT', kid:'<did>#<msid>'}`,
 * iss = sub = holder did, aud, nbf = iat = now, exp = now + 180, jti = vp.id = 'urn:uuid:…', nonce, vp.
 */
export async function createWalletVpJwt(o: CreateWalletVpJwtOptions): Promise<{ vpJwt: string; vpId: string; holderDid: string; vcJwt: string }> {
  const holder = await resolveHolder(o.key, o.credential);
  const { vpJwt, vpId } = await signWalletVp(holder, o);
  return { vpJwt, vpId, holderDid: holder.did, vcJwt: holder.vcJwt };
}

/** The DOME wallet's `presentation_submission` (WAL `AuthorizationResponseServiceImpl`), as JSON text. */
export function presentationSubmission(vpId: string, vcId: string | undefined): string {
  const nested: Record<string, unknown> = { format: 'jwt_vc', path: '$.verifiableCredential[0]' };
  if (vcId !== undefined) nested.id = vcId;
  return JSON.stringify({
    id: 'CustomerPresentationSubmission',
    definition_id: 'CustomerPresentationDefinition',
    descriptor_map: [{ format: 'jwt_vp', path: '$', id: vpId, path_nested: nested }],
  });
}

/**
 * Answers an openid4vp:// URL like the DOME wallet: fetch + check the request object, build and
 * sign the VP, POST it direct_post. Throws WalletError on a request it would refuse; an HTTP error
 * answer to the POST is returned, not thrown.
 */
export async function answerAuthorizationRequest(url: string, o: WalletOptions): Promise<WalletAnswer> {
  const authRequest = parseOpenId4VpUrl(url);
  // Key and credential are checked before the (one-shot) request object is consumed.
  const holder = await resolveHolder(o.key, o.credential);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const requestObject = await fetchRequestObject(authRequest, {
    timeoutMs,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.now ? { now: o.now } : {}),
  });
  const t = o.tamper ?? {};
  const nonce = t.omitNonce ? undefined : (t.nonce ?? requestObject.claims.nonce);
  const { vpJwt, vpId } = await signWalletVp(holder, { nonce, audience: t.audience ?? o.audience ?? SELF_ISSUED_AUDIENCE, now: o.now });
  const form = new URLSearchParams();
  form.set('state', t.state ?? requestObject.claims.state);
  form.set('vp_token', t.vpToken ?? encodeVpToken(vpJwt, 'base64url'));
  form.set('presentation_submission', presentationSubmission(vpId, credentialId(holder.vcJwt)));

  const doFetch = o.fetch ?? fetch;
  let res: Response;
  let body: string;
  try {
    res = await doFetch(requestObject.claims.response_uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    body = await res.text();
  } catch (e) {
    throw new WalletError('response_post', `POST response_uri failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const location = res.headers.get('location');
  return { status: res.status, body, ...(location !== null ? { location } : {}), requestObject, vpJwt, form };
}
