/**
 * Confidential relying party (did:key client, private_key_jwt, signed request object at the RP's
 * own request_uri, PKCE): one function per HTTP route of the RP backend. Sessions are a Map here;
 * use your framework's server-side session store.
 */
import { readFileSync } from 'node:fs';
import {
  buildAuthorizationUrl,
  createPkce,
  createRequestObject,
  discover,
  exchangeCode,
  loadP256PrivateKey,
  randomNonce,
  randomState,
  refresh,
  validateCallback,
  validateIdToken,
  type AuthorizationServerMetadata,
  type IdTokenClaims,
  type TokenResponse,
} from '@dome-verifier/client';

const ISSUER = 'https://verifier.dome-marketplace.eu';
const RP = 'https://rp.example.org';
const REDIRECT_URI = `${RP}/auth/vc/callback`;
const SCOPE = 'openid learcredential';

interface LoginSession {
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface RelyingParty {
  /** GET /login → redirect the browser to the returned URL. */
  login(sessionId: string): Promise<string>;
  /** GET /request.jwt?id=… → serve with Content-Type: application/oauth-authz-req+jwt (once). */
  requestObject(id: string): string | undefined;
  /** GET /auth/vc/callback → the user's tokens and ID token claims. */
  callback(sessionId: string, callbackUrl: string): Promise<{ tokens: TokenResponse; user: IdTokenClaims }>;
  /** Later: new tokens (store the rotated refresh token). */
  refresh(refreshToken: string): Promise<TokenResponse>;
}

export async function main(): Promise<RelyingParty> {
  const key = loadP256PrivateKey(readFileSync('rp.jwk', 'utf8'));
  const clientId = key.did; // registered in the Trusted Services List
  const metadata: AuthorizationServerMetadata = await discover(ISSUER);
  const sessions = new Map<string, LoginSession>();
  const hosted = new Map<string, string>();

  return {
    async login(sessionId) {
      const pkce = createPkce();
      const session: LoginSession = { state: randomState(), nonce: randomNonce(), codeVerifier: pkce.verifier };
      sessions.set(sessionId, session);
      const jwt = await createRequestObject({ clientId, key, issuer: metadata.issuer, redirectUri: REDIRECT_URI, scope: SCOPE, state: session.state, nonce: session.nonce, codeChallenge: pkce.challenge });
      hosted.set(session.state, jwt);
      const requestUri = `${RP}/request.jwt?id=${encodeURIComponent(session.state)}`;
      return buildAuthorizationUrl(metadata, { clientId, scope: SCOPE, state: session.state, nonce: session.nonce, requestUri }).href;
    },
    requestObject(id) {
      const jwt = hosted.get(id);
      hosted.delete(id);
      return jwt;
    },
    async callback(sessionId, callbackUrl) {
      const session = sessions.get(sessionId);
      sessions.delete(sessionId);
      if (!session) throw new Error('no login in progress');
      const code = validateCallback(callbackUrl, { expectedState: session.state, issuer: metadata.issuer });
      const tokens = await exchangeCode(metadata, { clientId, key, code, redirectUri: REDIRECT_URI, codeVerifier: session.codeVerifier });
      const user = await validateIdToken(tokens.id_token ?? '', { metadata, clientId, nonce: session.nonce });
      return { tokens, user };
    },
    refresh(refreshToken) {
      return refresh(metadata, { clientId, key, refreshToken });
    },
  };
}
