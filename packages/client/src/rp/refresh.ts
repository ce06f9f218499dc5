/**
 * Refresh (`grant_type=refresh_token`). The verifier rotates refresh tokens: store the new one —
 * presenting a rotated token again revokes the whole login.
 * Pair: `refreshTokenGrantRequest` + `processTokenResponse`; `refresh` does both.
 */
import { processTokenResponse, sendTokenRequest, type TokenResponse } from '../request-token.ts';
import { addClientAuthentication, type ClientAuthOptions } from './client-auth.ts';
import type { AuthorizationServerMetadata } from './discover.ts';
import type { TokenEndpointOptions } from './exchange-code.ts';

export interface RefreshOptions extends ClientAuthOptions, TokenEndpointOptions {
  refreshToken: string;
  scope?: string;
}

type Metadata = Pick<AuthorizationServerMetadata, 'issuer' | 'token_endpoint'>;

export async function refreshTokenGrantRequest(metadata: Metadata, o: RefreshOptions): Promise<{ response: Response; body: URLSearchParams }> {
  if (typeof o.refreshToken !== 'string' || o.refreshToken === '') throw new TypeError('refresh: refreshToken is required');
  const body = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: o.refreshToken });
  if (o.scope !== undefined) body.set('scope', o.scope);
  await addClientAuthentication(body, metadata.issuer, o);
  const response = await sendTokenRequest({ tokenEndpoint: metadata.token_endpoint, body, ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) });
  return { response, body };
}

export async function refresh(metadata: Metadata, o: RefreshOptions): Promise<TokenResponse> {
  const { response, body } = await refreshTokenGrantRequest(metadata, o);
  return processTokenResponse(response, body);
}
