/** What the presentation pipeline reads (input, dependencies) and writes (state). */
import type { KeyObject } from 'node:crypto';
import type { DecodedJws } from '../jose/jws.ts';
import type { Clock } from '../ports/clock.ts';
import type { TrustedIssuerRecord, TrustedIssuersRegistry } from '../trust/trusted-issuers.ts';
import type { RevocationList } from '../trust/revocation-list.ts';
import type { StatusListChecker } from '../trust/status-list.ts';
import type { TokenStatusListChecker } from '../trust/token-status-list.ts';
import type { VerifiedChain } from '../keys/x509.ts';
import type { CredentialKind, LearCredential } from './lear-credential.ts';
import type { CachedCredential, CredentialCache } from './credential-cache.ts';
import type { SentCredentialQuery } from '../oauth/oid4vp/sent-queries.ts';
import type { VerifiedSdJwt } from './sd-jwt/verify-sd-jwt.ts';
import type { DidResolver } from '../did/resolver.ts';

/** Verifies an `x5c` chain to the configured trust anchors at a time (cached; see keys/x509.ts). */
export type X5cVerifier = (x5c: unknown, nowMs: number) => VerifiedChain;

export interface CredentialFormats {
  /** Accept legacy LEAR types (false ⇒ 410 legacy_format_sunset_closed). */
  legacy: boolean;
  /** Accept bumped VCDM 2.0 / SD-JWT types (false ⇒ 503 bumped_format_temporarily_disabled). */
  bumped: boolean;
}

export interface PresentationPolicy {
  clockSkewSeconds: number;
  acceptMillisecondTimestamps: boolean;
}

export interface PresentationDeps {
  clock: Clock;
  policy: PresentationPolicy;
  issuers: TrustedIssuersRegistry;
  /** Legacy `revoked_credentials` YAML list; absent when the trust framework names none. */
  revocation: RevocationList | undefined;
  statusLists: StatusListChecker;
  /**
   * IETF Token Status List (`status.status_list`, `TokenStatusListEntry`). Absent: credentials
   * that carry such a reference are refused (fail closed), never accepted unchecked.
   */
  tokenStatusLists?: TokenStatusListChecker;
  /** EUDISTACK-145 dual-read switches of the trust framework; absent = both families open. */
  formats?: CredentialFormats;
  x5c: X5cVerifier;
  /** Reuses decoding and signature verification of credentials seen before (optional). */
  credentials?: CredentialCache;
  /**
   * Resolves holder DIDs other than did:key (did:jwk, did:web). Absent: an offline resolver
   * (did:key, did:jwk only). did:key holders are decoded directly either way.
   */
  dids?: DidResolver;
}

interface PresentationInputCommon {
  expectedKind: CredentialKind;
  /** Who must have made the presentation (the authenticated client_id in M2M). */
  presenter?: string;
  /** OpenID4VP session values (H2M): the VP must echo the nonce and name an accepted audience. */
  nonce?: string;
  audiences?: readonly string[];
  /** Wallet leg: the DCQL credential query the presentation answers (the vp_token map key). */
  query?: SentCredentialQuery;
}

/** A JWT VC presentation: the compact VP JWT (already decoded from base64 when it came so). */
export interface JwtPresentationInput extends PresentationInputCommon {
  vpJwt: string;
  sdJwt?: undefined;
}

/** An SD-JWT VC presentation (wallet leg): `<issuer-jwt>~…~<kb-jwt>` and the KB-JWT `aud` to require. */
export interface SdJwtPresentationInput extends PresentationInputCommon {
  vpJwt?: undefined;
  sdJwt: { presentation: string; audience: string };
}

export type PresentationInput = JwtPresentationInput | SdJwtPresentationInput;

export interface PresentationState {
  vp?: DecodedJws;
  vc?: DecodedJws;
  /** Cache entry of the credential (set when a cache is configured). */
  vcCache?: CachedCredential;
  credential?: LearCredential;
  /** The issuer's TIL entry (set by issuer-trusted; its attributes' claim restrictions are checked next). */
  issuerRecord?: TrustedIssuerRecord;
  /** DID (did:key, did:jwk, did:web) of the presenter whose key verified the VP. */
  holderDid?: string;
  holderKey?: KeyObject;
  /** SD-JWT VC answers: the verified presentation (its issuer JWT is `vc`). */
  sdJwt?: VerifiedSdJwt;
}

export interface PresentationContext {
  readonly input: PresentationInput;
  readonly deps: PresentationDeps;
  readonly state: PresentationState;
}

export interface VerifiedPresentation {
  credential: LearCredential;
  /** The credential as access tokens carry it: keys sorted alphabetically, nulls dropped (Jackson). */
  tokenVc: Record<string, unknown>;
  /** `JSON.stringify(tokenVc)` when the credential is cached (computed once with it). */
  tokenVcJson?: string;
  holderDid: string | undefined;
  vcPayload: Record<string, unknown>;
}
