/**
 * M2M in one object: discovery (once), LEARCredentialMachine VP client assertion, token cache,
 * single-flight refresh shortly before expiry, and a `fetch` that adds `Authorization: Bearer`
 * and retries once with a fresh token after a 401 (docs/integration-m2m.md).
 *
 * Every failure to obtain a token is a `TokenRequestError` (an `OAuthError`): `.error` is the
 * verifier's OAuth code (`invalid_client`, `temporarily_unavailable`, …) or `network_error`,
 * `http_<status>`, `invalid_response`, `invalid_metadata`. Messages never contain the key, the
 * VP, the assertion or a token. A bad key or credential is refused when the client is created.
 */
import { decodeJwt } from 'jose';
import type { MachineKeyInput } from './keys.ts';
import { createMachineTokenRequest, normaliseCredential, type MachineDialect } from './machine-token-request.ts';
import { requestToken, TokenRequestError, type TokenResponse } from './request-token.ts';
import { OAuthError } from './oauth-error.ts';
import { loadKeyInput } from './signing-key.ts';
import { discover, type AuthorizationServerMetadata } from './rp/discover.ts';
import { normaliseIssuer } from './http.ts';

export interface MachineClientOptions {
  /** Verifier URL; its metadata is discovered at `${issuer}/.well-known/openid-configuration` (issuer must match). */
  issuer: string;
  /** Machine P-256 private key: KeyObject/CryptoKey, loaded key, JWK (object or JSON), PEM or hex scalar. */
  key: MachineKeyInput;
  /** LEARCredentialMachine VC-JWT, raw or base64. */
  credential: string;
  /** Default: the did:key of the key. */
  clientId?: string;
  /** Default 'kid'. */
  dialect?: MachineDialect;
  /** Refresh this long before expiry; default 60 (at most half the token lifetime). */
  refreshSkewSeconds?: number;
  /** Token `scope` parameter (the verifier ignores it). */
  scope?: string;
  /** Per HTTP request to the verifier (discovery, token); default 15000. */
  timeoutMs?: number;
  /** Used for discovery, token requests and `client.fetch`. */
  fetch?: typeof fetch;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

export interface MachineClient {
  /** A valid access token: cached; concurrent callers share one in-flight request; refreshed shortly before expiry. */
  getToken(): Promise<string>;
  /** The full token response behind `getToken()` (a copy). */
  tokenResponse(): Promise<TokenResponse>;
  /** Forgets the cached token (the next call requests a new one). */
  invalidate(): void;
  /**
   * `fetch` with `Authorization: Bearer <token>`. On a 401 the token is dropped and the request is
   * sent ONCE more with a fresh token — only when the body can be replayed (none, string,
   * URLSearchParams, ArrayBuffer/view, Blob, FormData); otherwise the 401 is returned.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

/** Token lifetime when the response states none and the token is no JWT with exp. */
const DEFAULT_LIFETIME_MS = 300_000;

interface Cached {
  response: TokenResponse;
  token: string;
  refreshAt: number;
  expiresAt: number;
}

function lifetimeMs(response: TokenResponse, sentAt: number): number {
  if (typeof response.expires_in === 'number' && Number.isFinite(response.expires_in) && response.expires_in > 0) return response.expires_in * 1000;
  try {
    const { exp } = decodeJwt(response.access_token);
    if (typeof exp === 'number' && exp * 1000 > sentAt) return exp * 1000 - sentAt;
  } catch {
    // opaque token
  }
  return DEFAULT_LIFETIME_MS;
}

function isReplayable(input: string | URL | Request, init: RequestInit | undefined): boolean {
  const body = init?.body !== undefined ? init.body : input instanceof Request ? input.body : undefined;
  if (body === undefined || body === null) return true;
  return (
    typeof body === 'string' ||
    body instanceof URLSearchParams ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    body instanceof Blob ||
    body instanceof FormData
  );
}

export function createMachineClient(o: MachineClientOptions): MachineClient {
  const issuer = normaliseIssuer(o.issuer);
  // Refused now, not at the first request: a bad key or credential is a configuration error.
  const key: MachineKeyInput = loadKeyInput(o.key);
  const credential = normaliseCredential(o.credential);
  const now = o.now ?? Date.now;
  const skewMs = Math.max(0, (o.refreshSkewSeconds ?? 60) * 1000);
  const doFetch: typeof fetch = (input, init) => (o.fetch ?? globalThis.fetch)(input, init);
  const timeoutMs = o.timeoutMs ?? 15_000;

  let metadata: Promise<AuthorizationServerMetadata> | undefined;
  let cached: Cached | undefined;
  let inflight: Promise<Cached> | undefined;
  let generation = 0;

  function discovered(): Promise<AuthorizationServerMetadata> {
    if (!metadata) {
      const p = discover(issuer, { fetch: doFetch, timeoutMs, requiredEndpoints: ['token_endpoint'] });
      metadata = p;
      // A failed discovery is retried by the next call.
      p.catch(() => {
        if (metadata === p) metadata = undefined;
      });
    }
    return metadata;
  }

  async function acquire(): Promise<Cached> {
    let md: AuthorizationServerMetadata;
    try {
      md = await discovered();
    } catch (e) {
      if (e instanceof OAuthError) throw new TokenRequestError(e.error, e.status, e.description, { cause: e });
      throw e;
    }
    const sentAt = now();
    const req = await createMachineTokenRequest({
      issuer: md.issuer,
      key,
      credential,
      ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
      ...(o.dialect !== undefined ? { dialect: o.dialect } : {}),
      ...(o.scope !== undefined ? { scope: o.scope } : {}),
      now,
    });
    const response = await requestToken({ tokenEndpoint: md.token_endpoint, body: req.body, fetch: doFetch, timeoutMs });
    if (response.token_type.toLowerCase() !== 'bearer') {
      throw new TokenRequestError('invalid_response', 200, 'the token response token_type is not Bearer');
    }
    const life = lifetimeMs(response, sentAt);
    const expiresAt = sentAt + life;
    return { response, token: response.access_token, expiresAt, refreshAt: expiresAt - Math.min(skewMs, life / 2) };
  }

  function current(): Promise<Cached> {
    const c = cached;
    if (c && now() < c.refreshAt) return Promise.resolve(c);
    if (!inflight) {
      const gen = generation;
      const p: Promise<Cached> = acquire()
        .then(
          (fresh) => {
            if (gen === generation) cached = fresh;
            return fresh;
          },
          (e: unknown) => {
            // A failed early refresh keeps serving the token until it really expires.
            if (gen === generation && cached && now() < cached.expiresAt) return cached;
            throw e;
          },
        )
        .finally(() => {
          if (inflight === p) inflight = undefined;
        });
      inflight = p;
    }
    return inflight;
  }

  function dropIfCurrent(token: string): void {
    if (cached?.token === token) cached = undefined;
  }

  return {
    async getToken() {
      return (await current()).token;
    },
    async tokenResponse() {
      return { ...(await current()).response };
    },
    invalidate() {
      generation++;
      cached = undefined;
      inflight = undefined;
    },
    async fetch(input, init) {
      const send = (token: string) => {
        const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
        headers.set('authorization', `Bearer ${token}`);
        return doFetch(input, { ...init, headers });
      };
      const first = await current();
      const res = await send(first.token);
      if (res.status !== 401 || !isReplayable(input, init)) return res;
      await res.body?.cancel().catch(() => undefined);
      dropIfCurrent(first.token);
      const second = await current();
      return send(second.token);
    },
  };
}
