/**
 * Token-request bodies for `npm run bench:compare`, signed before a measured window so that the
 * load generator does no crypto while it measures.
 *
 * Every body is `fixed + tail`: `fixed` is the form up to the signed JWT's constant payload part
 * (M2M: the client assertion's header, `iss`, `sub`, `aud`, the ≈ 10 KB base64 `vp_token`; FIWARE
 * `vp_token` grant: the VP JWT's header, `iss`, `sub`, `aud`, `vp` with the credential), `tail` the
 * base64url of the variable claims (`iat`, `exp`, a fresh `jti` or `nonce`) and the signature. The constant part of the
 * payload JSON is padded with JSON whitespace to a multiple of 3 bytes, so its base64url ends on a
 * group boundary and the two encodings concatenate to the encoding of the whole payload. A pool
 * of N bodies therefore holds N tails of ≈ 140 bytes instead of N ≈ 17 KB strings.
 *
 * A pool hands out each body once: `take()` throws instead of reusing one (a reused body is a
 * replayed `jti` or VP `nonce`, which the servers answer with 400).
 */
import autocannon, { type Result } from 'autocannon';
import { sign, type KeyObject } from 'node:crypto';

export interface AssertionShape {
  /** Form fields before `client_assertion` (grant type, client id, assertion type). */
  readonly formPrefix: string;
  readonly header: Record<string, unknown>;
  /** iss, sub, aud, vp_token, … (the part that is the same in every body). */
  readonly constantClaims: Record<string, unknown>;
  readonly key: KeyObject;
  readonly lifetimeSeconds: number;
  /** Makes the `jti`s (or nonces) of this source distinct from every other source's. */
  readonly jtiPrefix: string;
  /** The claim that is fresh in every body: `jti` (a client assertion, default) or `nonce` (a bound VP JWT of the `vp_token` grant). */
  readonly uniqueClaim?: 'jti' | 'nonce';
}

export interface BodyPool {
  readonly size: number;
  /** Bodies handed out so far. */
  readonly taken: number;
  /** The next unused body; throws when the pool is exhausted. */
  take(): string;
}

export interface BodySource {
  /** Signs `count` bodies now. */
  pool(count: number): BodyPool;
  /** One body, signed now. */
  one(): string;
}

const b64u = (s: string) => Buffer.from(s).toString('base64url');

export function bodySource(shape: AssertionShape): BodySource {
  let constant = JSON.stringify(shape.constantClaims).slice(0, -1) + ',';
  while (Buffer.byteLength(constant) % 3 !== 0) constant += ' ';
  const signingPrefix = `${b64u(JSON.stringify(shape.header))}.${b64u(constant)}`;
  const fixed = `${shape.formPrefix}${signingPrefix}`;
  let n = 0;
  const unique = shape.uniqueClaim ?? 'jti';
  const tail = () => {
    const iat = Math.floor(Date.now() / 1000);
    const variable = b64u(`"iat":${iat},"exp":${iat + shape.lifetimeSeconds},"${unique}":"${shape.jtiPrefix}-${n++}"}`);
    const signature = sign('sha256', Buffer.from(`${signingPrefix}${variable}`), { key: shape.key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    return `${variable}.${signature}`;
  };
  return {
    one: () => fixed + tail(),
    pool(count) {
      const tails: string[] = new Array<string>(count);
      for (let i = 0; i < count; i++) tails[i] = tail();
      let next = 0;
      return {
        size: count,
        get taken() {
          return next;
        },
        take() {
          if (next >= tails.length) throw new Error(`body pool exhausted after ${tails.length} bodies: a body would be reused`);
          return fixed + tails[next++]!;
        },
      };
    },
  };
}

/** The form of a DOME M2M token request up to its client assertion (grant type, client id, assertion type). */
export function m2mFormPrefix(clientId: string): string {
  return `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
}

/** Bodies of a DOME M2M token request: an assertion (fresh jti) for `aud` carrying the machine's `vp_token`, signed with `key` under `kid`. */
export function m2mShape(m: { clientId: string; vpToken: string }, aud: string, key: KeyObject, kid: string, lifetimeSeconds: number, jtiPrefix: string): AssertionShape {
  return {
    formPrefix: m2mFormPrefix(m.clientId),
    header: { alg: 'ES256', typ: 'JWT', kid },
    constantClaims: { iss: m.clientId, sub: m.clientId, aud, vp_token: m.vpToken },
    key,
    lifetimeSeconds,
    jtiPrefix,
  };
}

/** Posts the pool's bodies to `url` on `connections` keep-alive connections for `seconds`; each connection stops before it would need a body the pool does not have. */
export function postBodies(url: string, connections: number, seconds: number, pool: BodyPool): Promise<Result> {
  return autocannon({
    url,
    connections,
    duration: seconds,
    maxOverallRequests: pool.size - connections,
    requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: pool.take() }) }],
  });
}
