/**
 * Discovery (OpenID Connect Discovery 1.0 / RFC 8414): `GET <issuer>/.well-known/openid-configuration`.
 * The document's `issuer` must equal the configured one (mix-up defence) and every endpoint the
 * caller relies on must be https (or http on a loopback host).
 * Pair: `discoveryRequest` (I/O) + `processDiscoveryResponse` (checks); `discover` does both.
 */
import { httpGet, isSecureEndpoint, normaliseIssuer, readJsonObject } from '../http.ts';
import { OAuthError } from '../oauth-error.ts';

export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint?: string;
  token_endpoint: string;
  jwks_uri?: string;
  code_challenge_methods_supported?: string[];
  authorization_response_iss_parameter_supported?: boolean;
  [member: string]: unknown;
}

export type MetadataEndpoint = 'authorization_endpoint' | 'token_endpoint' | 'jwks_uri';

/** What a relying party needs; the machine client needs only the token endpoint. */
export const RP_ENDPOINTS: readonly MetadataEndpoint[] = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'];
const ENDPOINTS: readonly MetadataEndpoint[] = RP_ENDPOINTS;

export interface DiscoverOptions {
  fetch?: typeof fetch;
  /** Default 10000. */
  timeoutMs?: number;
  /** Endpoints that must be present; default authorization_endpoint, token_endpoint, jwks_uri. */
  requiredEndpoints?: readonly MetadataEndpoint[];
}

/** `<issuer>/.well-known/openid-configuration` (trailing slashes of the issuer dropped). */
export function discoveryUrl(issuer: string): string {
  return `${normaliseIssuer(issuer)}/.well-known/openid-configuration`;
}

export async function discoveryRequest(issuer: string, o: DiscoverOptions = {}): Promise<Response> {
  return httpGet(discoveryUrl(issuer), { fetch: o.fetch, timeoutMs: o.timeoutMs, accept: 'application/json', what: 'the discovery document' });
}

const invalid = (description: string, status: number) => new OAuthError('invalid_metadata', { description, status });

export async function processDiscoveryResponse(issuer: string, res: Response, o: DiscoverOptions = {}): Promise<AuthorizationServerMetadata> {
  const expected = normaliseIssuer(issuer);
  const doc = await readJsonObject(res, { invalidCode: 'invalid_metadata', what: 'the discovery document' });
  const status = res.status;
  if (typeof doc.issuer !== 'string' || (doc.issuer !== expected && doc.issuer !== issuer)) {
    throw invalid(`the discovery document issuer is not the configured issuer ${expected}`, status);
  }
  const required = new Set(o.requiredEndpoints ?? RP_ENDPOINTS);
  for (const name of ENDPOINTS) {
    const value = doc[name];
    if (value === undefined) {
      if (required.has(name)) throw invalid(`the discovery document has no ${name}`, status);
      continue;
    }
    if (typeof value !== 'string' || !isSecureEndpoint(value)) throw invalid(`the discovery document ${name} is not an https URL (or loopback http)`, status);
  }
  if (typeof doc.token_endpoint !== 'string') throw invalid('the discovery document has no token_endpoint', status);
  return doc as AuthorizationServerMetadata;
}

/** Fetches and checks the metadata of `issuer`. Throws OAuthError (`network_error`, `http_<status>`, `invalid_metadata`). */
export async function discover(issuer: string, o: DiscoverOptions = {}): Promise<AuthorizationServerMetadata> {
  return processDiscoveryResponse(issuer, await discoveryRequest(issuer, o), o);
}
