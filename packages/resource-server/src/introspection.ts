/**
 * Introspection mode (opt-in): for APIs that must honour revocation, every access token that
 * passed local validation is also checked with the verifier's RFC 7662 introspection endpoint
 * (`introspection_endpoint` from discovery), authenticated as a registered client with a fresh
 * RFC 7523 client assertion per call. Reuse detection and revocation at the verifier then reach
 * this API within the cache lifetime.
 *
 * - Answers are cached per token `jti` (trustworthy: the signature was verified first) for
 *   `cacheTtlMs` (default 30 s), never beyond the token's `exp`, at most `maxCacheEntries`
 *   entries (default 10,000; the oldest is dropped). Concurrent checks of one token share one call.
 * - Fail closed: no answer (unreachable, 5 s timeout, non-200, our client refused, malformed
 *   reply) is an IntrospectionUnavailableError (503); failures are never cached.
 * - The assertion comes from the caller's `clientAssertion` callback, or is signed here (ES256,
 *   jose) with `privateKey`; this package stays jose-only and does not depend on the client SDK.
 */
import { randomUUID } from 'node:crypto';
import type { KeyObject, webcrypto } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';
import { IntrospectionUnavailableError } from './errors.ts';
import { FETCH_TIMEOUT_MS, getJson, isRecord, MAX_DOCUMENT_BYTES, readCapped } from './jwks.ts';

type CryptoKey = webcrypto.CryptoKey;

export interface IntrospectionOptions {
  /** This resource server's client id in the Trusted Services List (e.g. its did:key). */
  clientId: string;
  /**
   * Returns a new client assertion for each call (`iss` = `sub` = clientId, `aud` = the verifier
   * URL, a unique `jti`, a short `exp`). Use this, or `privateKey`.
   */
  clientAssertion?: (o: { clientId: string; audience: string }) => string | Promise<string>;
  /** The client's P-256 private key (KeyObject, CryptoKey or private JWK): assertions are signed here with ES256. */
  privateKey?: KeyObject | CryptoKey | JWK;
  /** `kid` of the signed assertions. Default: clientId (the did:key, as DOME clients send). */
  keyId?: string;
  /** How long an answer is reused. Default 30 000 ms; never beyond the token's exp. */
  cacheTtlMs?: number;
  /** Bound of the answer cache. Default 10 000. */
  maxCacheEntries?: number;
}

export interface Introspector {
  /** Whether the verifier says the token is active; throws IntrospectionUnavailableError when it cannot tell. */
  isActive(token: string, jti: string, exp: number): Promise<boolean>;
}

const unavailable = () => new IntrospectionUnavailableError('the verifier cannot confirm that the access token is still active');
const ASSERTION_LIFETIME_SECONDS = 60;

export function createIntrospector(issuer: string, o: IntrospectionOptions, fetchFn: typeof fetch | undefined, now: () => number): Introspector {
  if (typeof o.clientId !== 'string' || o.clientId === '') throw new TypeError('introspection.clientId is required');
  if ((o.clientAssertion === undefined) === (o.privateKey === undefined)) throw new TypeError('introspection needs exactly one of clientAssertion or privateKey');
  const ttl = o.cacheTtlMs ?? 30_000;
  const max = o.maxCacheEntries ?? 10_000;
  if (!(Number.isFinite(ttl) && ttl >= 0)) throw new TypeError('introspection.cacheTtlMs must be a non-negative number');
  if (!(Number.isInteger(max) && max >= 1)) throw new TypeError('introspection.maxCacheEntries must be a positive integer');
  const f = fetchFn ?? globalThis.fetch;
  const cache = new Map<string, { active: boolean; until: number }>();
  const inflight = new Map<string, Promise<boolean>>();
  let endpoint: string | undefined;
  let signingKey: Promise<KeyObject | CryptoKey | Uint8Array> | undefined;

  async function introspectionEndpoint(): Promise<string> {
    if (endpoint) return endpoint;
    const doc = await getJson(f, `${issuer}/.well-known/openid-configuration`);
    if (doc.issuer !== issuer || typeof doc.introspection_endpoint !== 'string') throw new Error('no introspection_endpoint');
    const url = new URL(doc.introspection_endpoint);
    if (url.protocol !== 'https:' && url.protocol !== new URL(issuer).protocol) throw new Error('introspection_endpoint scheme not allowed');
    return (endpoint = url.href);
  }

  async function assertion(): Promise<string> {
    if (o.clientAssertion) return o.clientAssertion({ clientId: o.clientId, audience: issuer });
    const key = o.privateKey!;
    signingKey ??= isRecord(key) && 'kty' in key ? importJWK(key as JWK, 'ES256') : Promise.resolve(key as KeyObject | CryptoKey);
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ jti: randomUUID() })
      .setProtectedHeader({ alg: 'ES256', kid: o.keyId ?? o.clientId })
      .setIssuer(o.clientId)
      .setSubject(o.clientId)
      .setAudience(issuer)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ASSERTION_LIFETIME_SECONDS)
      .sign(await signingKey);
  }

  async function ask(token: string, jti: string): Promise<boolean> {
    let res: Response;
    try {
      const body = new URLSearchParams({
        token,
        token_type_hint: 'access_token',
        client_id: o.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await assertion(),
      });
      res = await f(await introspectionEndpoint(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: body.toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
    } catch {
      endpoint = undefined; // rediscover next time
      throw unavailable();
    }
    try {
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const answer = JSON.parse(await readCapped(res, MAX_DOCUMENT_BYTES)) as unknown;
      if (!isRecord(answer) || typeof answer.active !== 'boolean') throw new Error('not an introspection answer');
      // An answer about another token is a broken verifier or proxy, not a verdict.
      if (answer.active && answer.jti !== undefined && answer.jti !== jti) throw new Error('answer for another token');
      return answer.active;
    } catch {
      await res.body?.cancel().catch(() => {});
      throw unavailable();
    }
  }

  function remember(jti: string, active: boolean, exp: number): void {
    const until = Math.min(now() + ttl, exp * 1000);
    if (until <= now()) return;
    cache.delete(jti);
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(jti, { active, until });
  }

  return {
    async isActive(token, jti, exp) {
      const hit = cache.get(jti);
      if (hit) {
        if (hit.until > now()) return hit.active;
        cache.delete(jti);
      }
      let pending = inflight.get(jti);
      if (!pending) {
        pending = ask(token, jti).then(
          (active) => {
            remember(jti, active, exp);
            return active;
          },
        ).finally(() => inflight.delete(jti));
        inflight.set(jti, pending);
      }
      return pending;
    },
  };
}
