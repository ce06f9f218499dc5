/**
 * The request side of the EUDIStack wallet PWA, written from dome-wallet-pwa.md (not from our
 * verifier): how it reads the openid4vp link (§1.2) and the same-device link (§1.1), the checks
 * it runs on the request object (§2, in its order), its credential selection — DCQL matching
 * (§3.1), else the scope map (§3.2), else everything — and the `vp_token` map key it would use
 * for the chosen credential (§4.3). Answering (VP JWT / SD-JWT+KB) belongs to the wallet
 * emulator of issue #10 §2.
 */
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { didKeyToJwk } from '@dome-verifier/did-key';

/** The part of the PWA's stored credential record (§6.1) that selection reads. */
export interface PwaStoredCredential {
  id: string;
  type: string[];
  credentialFormat: 'jwt_vc_json' | 'dc+sd-jwt';
  lifeCycleStatus: 'VALID' | 'EXPIRED' | 'REVOKED';
}

interface CredentialQuery {
  id?: string;
  format?: string;
  meta?: { credential_definition?: { type?: unknown }; vct_values?: unknown };
}

export interface PwaRequest {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export class PwaAbort extends Error {}

/** §1.1: `<wallet>/protocol/callback?authorization_request=<openid4vp URL>` → the openid4vp URL. */
export function pwaSameDeviceLink(link: string): string {
  const url = new URL(link);
  if (url.pathname.replace(/\/+$/, '').endsWith('/protocol/callback') === false) throw new PwaAbort('not the PWA protocol callback route');
  const inner = url.searchParams.get('authorization_request');
  if (!inner) throw new PwaAbort('no authorization_request');
  return inner;
}

/** §1.2: only `request_uri` (wins) or `request` is read; `client_id` and `request_uri_method` are not. */
export function pwaRequestUri(openid4vpUrl: string): { requestUri?: string; request?: string } {
  const url = new URL(openid4vpUrl.startsWith('openid4vp://') ? `https://openid4vp/${openid4vpUrl.slice('openid4vp://'.length)}` : openid4vpUrl);
  const requestUri = url.searchParams.get('request_uri');
  if (requestUri) return { requestUri };
  const request = url.searchParams.get('request');
  if (request) return { request };
  throw new PwaAbort("Expected 'request' or 'request_uri'");
}

const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;

/** §2, in the PWA's order: typ, iss == client_id, signature through x5c[0] or a bare P-256 did:key kid. */
export async function pwaVerifyRequestObject(jws: string): Promise<PwaRequest> {
  const header = decodeProtectedHeader(jws) as Record<string, unknown>;
  if (header.typ !== 'oauth-authz-req+jwt') throw new PwaAbort('typ must be oauth-authz-req+jwt');
  const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
  if (!claims.client_id) throw new PwaAbort('client_id missing');
  if (!claims.iss || claims.iss !== claims.client_id) throw new PwaAbort('iss must equal client_id');
  if (Array.isArray(header.x5c) && header.x5c.length > 0) throw new PwaAbort('x5c path not emulated (our verifier signs with its did:key)');
  const kid = header.kid;
  if (typeof kid !== 'string' || !kid.startsWith('did:key:z')) throw new PwaAbort('kid must be a did:key:z…');
  if (!BASE58.test(kid.slice('did:key:z'.length))) throw new PwaAbort('kid is not base58btc (a #fragment is not allowed)');
  const key = await importJWK({ ...didKeyToJwk(kid) }, 'ES256');
  await compactVerify(jws, key); // throws when the signature or alg does not fit the P-256 key
  return { header, claims };
}

const stringList = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** §3.1 per credential query: jwt_vc_json → every `credential_definition.type`; dc+sd-jwt → any `vct_values`; absent → all. */
function matchesQuery(q: CredentialQuery, c: PwaStoredCredential): boolean {
  if (q.format === 'jwt_vc_json') {
    const types = stringList(q.meta?.credential_definition?.type);
    return types === undefined || types.every((t) => c.type.includes(t));
  }
  if (q.format === 'dc+sd-jwt') {
    const vct = stringList(q.meta?.vct_values);
    return vct === undefined || vct.some((t) => c.type.includes(t));
  }
  return false;
}

const SCOPE_TO_TYPE: Record<string, string> = {
  'learcredential.employee': 'learcredential.employee.w3c.4',
  'learcredential.machine': 'learcredential.machine.w3c.3',
};

/** §3: the credentials the PWA offers for this request (VALID only); DCQL wins, then scope, then all. */
export function pwaSelectCredentials(request: PwaRequest, stored: readonly PwaStoredCredential[]): PwaStoredCredential[] {
  const valid = stored.filter((c) => c.lifeCycleStatus === 'VALID');
  const dcql = request.claims.dcql_query as { credentials?: CredentialQuery[] } | undefined;
  if (dcql) {
    const out: PwaStoredCredential[] = [];
    for (const q of dcql.credentials ?? []) for (const c of valid) if (matchesQuery(q, c) && !out.some((o) => o.id === c.id)) out.push(c);
    return out;
  }
  const scope = request.claims.scope;
  if (scope !== undefined) {
    const scopes = typeof scope === 'string' ? scope.split(' ') : (stringList(scope) ?? []);
    const types = scopes.map((s) => SCOPE_TO_TYPE[s]).filter((t): t is string => t !== undefined);
    if (types.length === 0) return [];
    return valid.filter((c) => types.some((t) => c.type.includes(t)));
  }
  return valid;
}

/** §4.3 `resolveMatchedCredentialQueryId`: the `vp_token` map key for the chosen credential. */
export function pwaQueryId(request: PwaRequest, chosen: PwaStoredCredential): string {
  const queries = (request.claims.dcql_query as { credentials?: CredentialQuery[] } | undefined)?.credentials ?? [];
  const hit = queries.find((q) => q.format === chosen.credentialFormat && matchesQuery(q, chosen));
  return hit?.id ?? queries[0]?.id ?? 'default';
}
