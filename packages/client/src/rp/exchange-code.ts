/**
 * Code exchange (`grant_type=authorization_code`) with client authentication (`client-auth.ts`).
 * Pair: `authorizationCodeGrantRequest` (I/O, returns the raw Response) + `processTokenResponse`;
 * `exchangeCode` does both. Errors: `TokenRequestError` (an OAuthError) with the server's code.
 */
import { processTokenResponse, sendTokenRequest, type TokenResponse } from '../request-token.ts';
import { addClientAuthentication, type ClientAuthOptions } from './client-auth.ts';
import type { AuthorizationServerMetadata } from './discover.ts';

export interface TokenEndpointOptions {
  fetch?: typeof fetch;
  /** Default 15000. */
  timeoutMs?: number;
}

export interface ExchangeCodeOptions extends ClientAuthOptions, TokenEndpointOptions {
  /** From `validateCallback`. */
  code: string;
  /** The exact redirect_uri of the authorization request. */
  redirectUri: string;
  /** `createPkce().verifier` when a challenge was sent. */
  codeVerifier?: string;
}

type Metadata = Pick<AuthorizationServerMetadata, 'issuer' | 'token_endpoint'>;

export async function buildAuthorizationCodeBody(metadata: Metadata, o: ExchangeCodeOptions): Promise<URLSearchParams> {
  if (typeof o.code !== 'string' || o.code === '') throw new TypeError('exchangeCode: code is required');
  if (typeof o.redirectUri !== 'string' || o.redirectUri === '') throw new TypeError('exchangeCode: redirectUri is required');
  const body = new URLSearchParams({ grant_type: 'authorization_code', code: o.code, redirect_uri: o.redirectUri });
  if (o.codeVerifier !== undefined) body.set('code_verifier', o.codeVerifier);
  await addClientAuthentication(body, metadata.issuer, o);
  return body;
}

/** Sends the code exchange; returns the raw Response together with the form sent (for `processTokenResponse`). */
export async function authorizationCodeGrantRequest(metadata: Metadata, o: ExchangeCodeOptions): Promise<{ response: Response; body: URLSearchParams }> {
  const body = await buildAuthorizationCodeBody(metadata, o);
  const response = await sendTokenRequest({ tokenEndpoint: metadata.token_endpoint, body, ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  return { response, body };
}

/** Exchanges the code for `{access_token, id_token, refresh_token, token_type, expires_in}`. Validate the ID token with `validateIdToken`. */
export async function exchangeCode(metadata: Metadata, o: ExchangeCodeOptions): Promise<TokenResponse> {
  const { response, body } = await authorizationCodeGrantRequest(metadata, o);
  return processTokenResponse(response, body);
}
