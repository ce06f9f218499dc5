/** Input, dependencies and state of the FIWARE presentation pipeline (verify-fiware-presentation.ts). */
import type { KeyObject } from 'node:crypto';
import type { DecodedJws } from '../../jose/jws.ts';
import type { FiwareCredentialRequirement, FiwareScope, FiwareService } from '../service-config.ts';
import type { FiwarePresentationValue } from '../vp-token/decode-fiware-vp-token.ts';
import type { FiwareDeps } from '../token/context.ts';

/**
 * `grant`: a `vp_token` / token-exchange grant — the VP must carry `aud` (one of `audiences`),
 * a `nonce` (one-time use, reserved in the Store) and `exp`, unless the service sets
 * `allowUnboundVp`. `wallet`: an OID4VP answer to a login — `nonce` and one of `audiences` are
 * always required (the session's), and nothing is reserved (the login is single-use itself).
 */
export type FiwarePresentationMode = 'grant' | 'wallet';

export interface FiwarePresentationInput {
  readonly presentations: readonly FiwarePresentationValue[];
  readonly mode: FiwarePresentationMode;
  readonly service: FiwareService;
  /** The requested scopes (grant: all their credential types are required). */
  readonly scopes: readonly FiwareScope[];
  /** Accepted VP `aud` values. */
  readonly audiences: readonly string[];
  /** Wallet mode: the login's nonce. */
  readonly nonce?: string;
}

/** One presented credential (a JWT VC), decoded. */
export interface FiwareCredential {
  readonly jws: DecodedJws;
  /** The compact JWT as presented. */
  readonly compact: string;
  /** The credential object: the `vc` claim (VCDM 1.1), or the payload itself (VCDM 2.0). */
  readonly object: Record<string, unknown>;
  readonly issuer: string;
  readonly types: readonly string[];
  /** The scope requirements whose `type` the credential carries (set by `required-types`). */
  requirements: FiwareCredentialRequirement[];
}

export interface FiwarePresentationState {
  vps?: DecodedJws[];
  /** The presentation holder (`vp.holder`, else the VP `iss`), the token's `sub`. */
  holder?: string;
  holderKey?: KeyObject;
  /** Every presented credential. */
  credentials?: FiwareCredential[];
  /** The credentials the requested scopes need (verified and included); the others are ignored. */
  relevant?: FiwareCredential[];
  /** Replay keys reserved by `fiware-vp-replay` (grant mode, VPs with a nonce); released if issuance fails. */
  replayKeys?: string[];
}

export interface FiwarePresentationContext {
  readonly input: FiwarePresentationInput;
  readonly deps: FiwareDeps;
  readonly state: FiwarePresentationState;
}

export interface VerifiedFiwarePresentation {
  readonly holder: string;
  /** The credentials the scopes need, in presentation order, each with its matching requirements. */
  readonly credentials: readonly FiwareCredential[];
  /** A VP `nonce`, when sent (the token echoes it). */
  readonly nonce: string | undefined;
  /** Store keys this verification reserved; the caller deletes them when it then issues nothing. */
  readonly reserved: readonly string[];
}
