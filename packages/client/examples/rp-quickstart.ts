/**
 * Confidential RP, the README snippet as one function: `hostOnce` is your route serving the
 * request object, `callback` resolves with the URL the browser comes back to.
 */
import { readFileSync } from 'node:fs';
import {
  buildAuthorizationUrl, createPkce, createRequestObject, discover, exchangeCode,
  loadP256PrivateKey, randomNonce, randomState, refresh, validateCallback, validateIdToken,
} from '@dome-verifier/client';

export async function main(hostOnce: (url: string, jwt: string) => void, callback: (location: URL) => Promise<string>): Promise<void> {
  const key = loadP256PrivateKey(readFileSync('rp.jwk', 'utf8'));
  const clientId = key.did;
  const redirectUri = 'https://rp.example.org/auth/vc/callback';
  const metadata = await discover('https://verifier.dome-marketplace.eu');

  // GET /login — keep state, nonce and the PKCE verifier in the server-side session
  const pkce = createPkce();
  const state = randomState();
  const nonce = randomNonce();
  const jwt = await createRequestObject({ clientId, key, issuer: metadata.issuer, redirectUri, scope: 'openid learcredential', state, nonce, codeChallenge: pkce.challenge });
  const requestUri = `https://rp.example.org/request.jwt?id=${state}`;
  hostOnce(requestUri, jwt); // Content-Type: application/oauth-authz-req+jwt
  const location = buildAuthorizationUrl(metadata, { clientId, scope: 'openid learcredential', state, nonce, requestUri });

  // GET /auth/vc/callback?code&state&iss
  const callbackUrl = await callback(location);
  const code = validateCallback(callbackUrl, { expectedState: state, issuer: metadata.issuer });
  const tokens = await exchangeCode(metadata, { clientId, key, code, redirectUri, codeVerifier: pkce.verifier });
  const user = await validateIdToken(tokens.id_token!, { metadata, clientId, nonce });
  console.log(user.sub, user.given_name, user.email, user.vc_json);

  // later — the refresh token rotates: store the new one
  const renewed = await refresh(metadata, { clientId, key, refreshToken: tokens.refresh_token! });
  console.log(renewed.expires_in);
}
