/**
 * Test wallet: emulator of the EUDIStack wallet PWA's (v3.x) OpenID4VP leg, written from the
 * PWA's documented behaviour (not from the verifier's code): it parses the
 * `openid4vp://` URL (only `request_uri` / `request`), GETs the request object, checks it as the
 * PWA does (`typ` exactly `oauth-authz-req+jwt`, `iss` == `client_id`, ES256 signature through
 * `x5c[0]` or a bare P-256 `did:key` `kid`), selects credentials (DCQL §3.1, else the scope map
 * §3.2, else all), and posts `state` + `vp_token` exactly as §4 describes: a VP JWT with header
 * `{alg, typ: JWT, kid: JWK thumbprint, jwk: cnf.jwk}` and payload `{id, iss, sub, aud:
 * client_id, nbf, iat, exp: +180 s, vp, nonce}`, or the stored SD-JWT plus a KB-JWT; the
 * `vp_token` is standard base64 (with padding) of the DCQL map `{queryId: [vp]}` /
 * `{queryId: sdJwt}`, or of the bare presentation without DCQL; the form is encoded as Angular's
 * HttpParams does. Used by the verifier's tests, `npm run bench:login` and the CLI (`wallet --as
 * pwa`). Tamper hooks exist only for negative tests; each changes one property.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, CompactSign, compactVerify, decodeProtectedHeader, importX509, type JWK } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';

export interface PwaCredential {
  /** The raw issued JWT VC, or the SD-JWT `<issuer-jwt>~<d1>~…~<dn>~` as stored. */
  credentialEncoded: string;
}

export interface PwaTamper {
  /** Signs the VP / KB-JWT with this key (and puts its JWK in the VP header) instead of the cnf.jwk key. */
  signWith?: { privateKey: KeyObject; publicJwk: Record<string, unknown> };
  nonce?: string;
  aud?: string;
  /** VP header kid instead of the thumbprint. */
  kid?: string;
  /** Map key instead of the resolved credential query id. */
  queryId?: string;
  /** SD-JWT: post without a KB-JWT. */
  omitKbJwt?: boolean;
  /** SD-JWT: KB-JWT sd_hash instead of the computed one. */
  sdHash?: string;
  /** SD-JWT: replace the stored string before presenting (e.g. a tampered disclosure). */
  storedSdJwt?: (s: string) => string;
  /** VP / KB-JWT iat (seconds) instead of now. */
  iat?: number;
  /** Posted vp_token verbatim (e.g. one recorded from another login). */
  vpToken?: string;
  /** Post the bare presentation, as the PWA does without DCQL (§4.3 rows 3–4), although a query matched. */
  bare?: boolean;
  /** Not the PWA: the map as raw JSON, not base64-wrapped (OpenID4VP 1.0 as written). */
  rawJson?: boolean;
}

export interface PwaOptions {
  /** GET of the request_uri: the body as text (the wallet uses it as the compact JWS as is). */
  get(url: string): Promise<string>;
  /** The form POST to response_uri: status and body text. */
  post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }>;
  /** The wallet's credential store (all VALID). */
  credentials: PwaCredential[];
  /** The browser key store: private keys, found by the RFC 7638 thumbprint of cnf.jwk. */
  keys: KeyObject[];
  /** Seconds. */
  now(): number;
  tamper?: PwaTamper;
}

interface DcqlCredentialQuery {
  id: string;
  format: string;
  meta?: { credential_definition?: { type?: string[] }; vct_values?: string[] };
}
export interface DcqlQuery {
  credentials: DcqlCredentialQuery[];
}

export interface PwaResult {
  /** Whether anything was posted ("no credentials available" posts nothing). */
  posted: boolean;
  status?: number;
  body?: string;
  /** What was posted (for replay tests). */
  form?: { state: string; vp_token: string };
  requestObject?: Record<string, unknown>;
}

const SCOPE_TO_TYPE: Record<string, string> = {
  'learcredential.employee': 'learcredential.employee.w3c.4',
  'learcredential.machine': 'learcredential.machine.w3c.3',
};

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const payloadOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

/** §1.2: `openid4vp://` → `https://openid4vp/`, then only `request_uri` (wins) or `request`. */
function requestParam(url: string): { requestUri?: string; request?: string } {
  const u = new URL(url.startsWith('openid4vp://') ? `https://openid4vp/${url.slice('openid4vp://'.length)}` : url);
  const requestUri = u.searchParams.get('request_uri') ?? undefined;
  const request = u.searchParams.get('request') ?? undefined;
  if (!requestUri && !request) throw new Error("Expected 'request' or 'request_uri'");
  return requestUri ? { requestUri } : { request };
}

/** §2 in its order: typ, iss == client_id, signature (x5c[0], else a bare did:key kid). */
async function verifyRequestObject(jws: string): Promise<Record<string, unknown>> {
  const header = decodeProtectedHeader(jws);
  if (header.typ !== 'oauth-authz-req+jwt') throw new Error('request object typ');
  const claims = payloadOf(jws);
  if (!claims.client_id) throw new Error('client_id missing');
  if (!claims.iss || claims.iss !== claims.client_id) throw new Error('iss != client_id');
  if (Array.isArray(header.x5c) && header.x5c.length > 0) {
    const pem = `-----BEGIN CERTIFICATE-----\n${header.x5c[0]}\n-----END CERTIFICATE-----`;
    await compactVerify(jws, await importX509(pem, 'ES256'));
  } else {
    const kid = header.kid;
    if (typeof kid !== 'string' || !kid.startsWith('did:key:z') || kid.includes('#')) throw new Error('kid is not a bare did:key');
    await compactVerify(jws, didKeyToKeyObject(kid), { algorithms: ['ES256'] });
  }
  return claims;
}

interface Held {
  encoded: string;
  format: 'jwt_vc_json' | 'dc+sd-jwt';
  type: string[];
  issuerPayload: Record<string, unknown>;
}

/** §6.1: the record's `type` (JWT: vc.type or root type; SD-JWT: payload type, else [VC, vct]). */
function held(c: PwaCredential): Held {
  const sd = c.credentialEncoded.includes('~');
  const p = payloadOf(c.credentialEncoded.split('~')[0]!);
  const vc = (p.vc ?? p) as Record<string, unknown>;
  const type = sd ? ((p.type as string[] | undefined) ?? ['VerifiableCredential', String(p.vct)]) : ((vc.type as string[] | undefined) ?? []);
  return { encoded: c.credentialEncoded, format: sd ? 'dc+sd-jwt' : 'jwt_vc_json', type, issuerPayload: p };
}

/** §3.1 per query: jwt_vc_json → every credential_definition.type present; dc+sd-jwt → one vct_values present. */
function matches(q: DcqlCredentialQuery, h: Held): boolean {
  if (q.format === 'jwt_vc_json') return !q.meta?.credential_definition?.type || q.meta.credential_definition.type.every((t) => h.type.includes(t));
  if (q.format === 'dc+sd-jwt') return !q.meta?.vct_values || q.meta.vct_values.some((v) => h.type.includes(v));
  return false;
}

/** §4.3 credQueryId: the first query of the same format the credential satisfies, else credentials[0].id, else "default". */
function credQueryId(dcql: DcqlQuery, h: Held): string {
  const hit = dcql.credentials.find((q) => q.format === h.format && matches(q, h));
  return hit?.id ?? dcql.credentials[0]?.id ?? 'default';
}

/** Angular HttpUrlEncodingCodec: encodeURIComponent, then @ : $ , ; = ? / un-escaped (§4.2). */
function angularEncode(v: string): string {
  return encodeURIComponent(v)
    .replace(/%40/gi, '@').replace(/%3A/gi, ':').replace(/%24/gi, '$').replace(/%2C/gi, ',')
    .replace(/%3B/gi, ';').replace(/%3D/gi, '=').replace(/%3F/gi, '?').replace(/%2F/gi, '/');
}

async function sign(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): Promise<string> {
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader(header as { alg: string }).sign(key);
}

/**
 * `get`/`post` over the global fetch, as the PWA's HttpClient behaves: a non-2xx GET of the
 * request object is an error; the POST's status and body are returned as they are.
 */
export function pwaFetchTransport(o: { timeoutMs?: number } = {}): Pick<PwaOptions, 'get' | 'post'> {
  const signal = () => (o.timeoutMs === undefined ? undefined : AbortSignal.timeout(o.timeoutMs));
  return {
    async get(url) {
      const res = await fetch(url, { redirect: 'error', signal: signal() });
      const body = await res.text();
      if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}: ${body.slice(0, 200)}`);
      return body;
    },
    async post(url, body, headers) {
      const res = await fetch(url, { method: 'POST', headers, body, redirect: 'error', signal: signal() });
      return { status: res.status, body: await res.text() };
    },
  };
}

/** Runs the PWA's flow for one scanned/pasted `openid4vp://` URL. */
export async function pwaAnswer(url: string, o: PwaOptions): Promise<PwaResult> {
  const t = o.tamper ?? {};
  const { requestUri, request } = requestParam(url);
  const jws = requestUri ? await o.get(requestUri) : request!;
  const ro = await verifyRequestObject(jws);
  const dcql = ro.dcql_query as DcqlQuery | undefined;
  const all = o.credentials.map(held);
  let candidates: Held[];
  if (dcql) candidates = all.filter((h) => dcql.credentials.some((q) => matches(q, h)));
  else if (ro.scope !== undefined) {
    const scopes = Array.isArray(ro.scope) ? (ro.scope as string[]) : String(ro.scope).split(' ');
    const types = scopes.map((s) => SCOPE_TO_TYPE[s]).filter((x): x is string => x !== undefined);
    candidates = types.length === 0 ? [] : all.filter((h) => types.some((ty) => h.type.includes(ty)));
  } else candidates = all;
  if (candidates.length === 0) return { posted: false, requestObject: ro };
  const chosen = candidates[0]!; // the user taps one card; exactly one is presented (§3)

  // §4.1: cnf.jwk required; the signing key is found by its thumbprint.
  const cnf = (chosen.issuerPayload.cnf as { jwk?: JWK } | undefined)?.jwk;
  if (!cnf) throw new Error("We couldn't validate the credential");
  const thumbprint = await calculateJwkThumbprint({ crv: cnf.crv, kty: cnf.kty, x: cnf.x, y: cnf.y } as JWK, 'sha256');
  let key: KeyObject | undefined;
  for (const k of o.keys) {
    const j = k.export({ format: 'jwk' });
    if ((await calculateJwkThumbprint({ crv: j.crv, kty: j.kty, x: j.x, y: j.y } as JWK, 'sha256')) === thumbprint) key = k;
  }
  if (!key) throw new Error('errors.key-not-found');
  const signingKey = t.signWith?.privateKey ?? key;
  const now = t.iat ?? o.now();
  const aud = t.aud ?? String(ro.client_id ?? ro.response_uri);
  const nonce = t.nonce ?? (ro.nonce as string | undefined);

  let presentation: string | string[];
  if (chosen.format === 'dc+sd-jwt') {
    const stored = t.storedSdJwt ? t.storedSdJwt(chosen.encoded) : chosen.encoded;
    if (t.omitKbJwt) presentation = stored;
    else {
      const sdHash = t.sdHash ?? b64url(createHash('sha256').update(Buffer.from(stored, 'ascii')).digest());
      const kb = await sign({ alg: 'ES256', typ: 'kb+jwt' }, JSON.parse(JSON.stringify({ iat: now, aud, nonce, sd_hash: sdHash })), signingKey);
      presentation = stored + kb;
    }
  } else {
    const p = chosen.issuerPayload;
    const holder = ((p.vc as Record<string, unknown> | undefined)?.credentialSubject as Record<string, unknown> | undefined)?.id ?? p.sub;
    if (!holder) throw new Error('no holder id');
    const id = `urn:uuid:${randomUUID()}`;
    const jwk = (t.signWith?.publicJwk ?? cnf) as JWK;
    const header = { alg: 'ES256', typ: 'JWT', kid: t.kid ?? (await calculateJwkThumbprint({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y } as JWK, 'sha256')), jwk };
    const claims = JSON.parse(JSON.stringify({
      id, iss: holder, sub: holder, aud, nbf: now, iat: now, exp: now + 180,
      vp: { id, holder, '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiablePresentation'], verifiableCredential: [chosen.encoded] },
      nonce,
    })) as Record<string, unknown>;
    presentation = [await sign(header, claims, signingKey)];
  }
  let decoded: string;
  if (dcql && !t.bare) {
    const map = { [t.queryId ?? credQueryId(dcql, chosen)]: presentation };
    decoded = JSON.stringify(map);
  } else decoded = Array.isArray(presentation) ? presentation[0]! : presentation;
  const vpToken = t.vpToken ?? (t.rawJson ? decoded : Buffer.from(decoded, 'utf8').toString('base64'));
  const state = String(ro.state);
  const target = String(ro.response_uri ?? ro.redirect_uri);
  const body = `state=${angularEncode(state)}&vp_token=${angularEncode(vpToken)}`;
  const res = await o.post(target, body, { 'content-type': 'application/x-www-form-urlencoded' });
  return { posted: true, status: res.status, body: res.body, form: { state, vp_token: vpToken }, requestObject: ro };
}
