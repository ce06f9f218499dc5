/**
 * The authorization request URL (`GET /oidc/authorize`). Plain mode: every parameter in the query.
 * With a request object (`requestUri` or `request`), DOME style: `client_id`, `response_type`,
 * `scope`, `state` and `nonce` (and the PKCE challenge when given) are repeated outside the JWT,
 * as the DOME marketplace sends them (docs/integration-confidential-client.md §2); `redirect_uri` stays inside.
 */
import { OAuthError } from '../oauth-error.ts';
import type { AuthorizationServerMetadata } from './discover.ts';

export interface AuthorizationUrlOptions {
  clientId: string;
  /** Required in plain mode; with a request object it is inside the JWT (added outside only when given). */
  redirectUri?: string;
  scope: string;
  state: string;
  nonce?: string;
  /** S256 challenge (`createPkce().challenge`). */
  codeChallenge?: string;
  /** URL where the verifier fetches the request object (`createRequestObject`). */
  requestUri?: string;
  /** The request object by value. */
  request?: string;
  /** More query parameters (e.g. `ui_locales`); the ones above win. */
  extraParams?: Record<string, string>;
}

export function buildAuthorizationUrl(metadata: Pick<AuthorizationServerMetadata, 'authorization_endpoint'>, o: AuthorizationUrlOptions): URL {
  const endpoint = metadata.authorization_endpoint;
  if (typeof endpoint !== 'string' || endpoint === '') throw new OAuthError('invalid_metadata', { description: 'the metadata has no authorization_endpoint' });
  if (o.request !== undefined && o.requestUri !== undefined) throw new TypeError('buildAuthorizationUrl: use request or requestUri, not both');
  for (const [name, value] of [['clientId', o.clientId], ['scope', o.scope], ['state', o.state]] as const) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`buildAuthorizationUrl: ${name} is required`);
  }
  const jar = o.request !== undefined || o.requestUri !== undefined;
  if (!jar && (typeof o.redirectUri !== 'string' || o.redirectUri === '')) throw new TypeError('buildAuthorizationUrl: redirectUri is required without a request object');
  const url = new URL(endpoint);
  const q = url.searchParams;
  for (const [k, v] of Object.entries(o.extraParams ?? {})) q.set(k, v);
  q.set('client_id', o.clientId);
  q.set('response_type', 'code');
  if (o.redirectUri !== undefined) q.set('redirect_uri', o.redirectUri);
  q.set('scope', o.scope);
  q.set('state', o.state);
  if (o.nonce !== undefined) q.set('nonce', o.nonce);
  if (o.codeChallenge !== undefined) {
    q.set('code_challenge', o.codeChallenge);
    q.set('code_challenge_method', 'S256');
  }
  if (o.requestUri !== undefined) q.set('request_uri', o.requestUri);
  if (o.request !== undefined) q.set('request', o.request);
  return url;
}
