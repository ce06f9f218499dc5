/** What the SD-JWT VC pipeline reads (input, dependencies) and writes (state). */
import type { KeyObject } from 'node:crypto';
import type { DecodedJws, JwsAlg } from '../../jose/jws.ts';
import type { Clock } from '../../ports/clock.ts';
import type { X5cVerifier } from '../context.ts';

export interface SdJwtLimits {
  /** Whole presentation, characters (default 48 Ki: the wallet form body is capped at 64 KiB). */
  maxLength: number;
  /** Disclosures in one presentation (default 64). */
  maxDisclosures: number;
  /** One disclosure, characters (default 8 Ki). */
  maxDisclosureLength: number;
  /** JSON nesting of the issuer payload and of every disclosed value, and of the processed claims (default 16). */
  maxDepth: number;
}

export const DEFAULT_SD_JWT_LIMITS: SdJwtLimits = Object.freeze({
  maxLength: 48 * 1024,
  maxDisclosures: 64,
  maxDisclosureLength: 8 * 1024,
  maxDepth: 16,
});

export interface SdJwtPolicy {
  /** Tolerance for exp/nbf/iat comparisons, seconds. */
  clockSkewSeconds: number;
  /** Oldest acceptable KB-JWT `iat`, seconds before now (the wallet signs it just before posting). */
  kbMaxAgeSeconds: number;
}

export const DEFAULT_SD_JWT_POLICY: SdJwtPolicy = Object.freeze({ clockSkewSeconds: 60, kbMaxAgeSeconds: 300 });

export interface SdJwtDeps {
  clock: Clock;
  /** x5c chain verification to the configured trust anchors (keys/x509.ts). */
  x5c: X5cVerifier;
  policy?: Partial<SdJwtPolicy>;
  limits?: Partial<SdJwtLimits>;
}

export interface SdJwtInput {
  /** `<issuer-jwt>~<disclosure>~…~<kb-jwt>` exactly as the wallet sent it. */
  presentation: string;
  /** The verifier's client_id: the KB-JWT `aud` must equal it. */
  expectedAudience: string;
  /** The login's nonce: the KB-JWT `nonce` must equal it. */
  expectedNonce: string;
}

export interface DecodedDisclosure {
  /** The base64url text as presented (the digest input). */
  readonly encoded: string;
  readonly digest: string;
  readonly salt: string;
  /** Absent for array-element disclosures `[salt, value]`. */
  readonly name?: string;
  readonly value: unknown;
}

export interface SdJwtState {
  issuerJwtText?: string;
  encodedDisclosures?: string[];
  kbJwtText?: string;
  /** Everything up to and including the last `~` (the `sd_hash` input). */
  sdHashInput?: string;
  issuerJwt?: DecodedJws;
  /** `iss` of the issuer JWT. */
  issuer?: string;
  /** How the issuer key was found. */
  issuerKeySource?: 'x5c' | 'did:key';
  disclosures?: DecodedDisclosure[];
  /** The issuer payload with every disclosure applied and `_sd`/`_sd_alg`/`...` removed. */
  claims?: Record<string, unknown>;
  holderJwk?: Record<string, unknown>;
  holderKey?: KeyObject;
  kbJwt?: DecodedJws;
}

export interface SdJwtContext {
  readonly input: SdJwtInput;
  readonly deps: SdJwtDeps;
  readonly policy: SdJwtPolicy;
  readonly limits: SdJwtLimits;
  readonly state: SdJwtState;
}

/** Issuer JWT algorithms: the JWT VC allow-list (check-vc-signature.ts). */
export { VC_ALGORITHMS as SD_JWT_ISSUER_ALGORITHMS } from '../checks/check-vc-signature.ts';
/** KB-JWT algorithms: holder keys are EC (the PWA signs ES256) or EdDSA. */
export const KB_JWT_ALGORITHMS: readonly JwsAlg[] = ['ES256', 'ES384', 'EdDSA'];
