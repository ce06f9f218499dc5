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

/** One presented credential (a JWT VC, or an SD-JWT VC verified with its KB-JWT), decoded. */
export interface FiwareCredential {
  readonly format: 'jwt_vc' | 'sd_jwt';
  /** JWT VC: the credential JWT; SD-JWT VC: the issuer-signed JWT (as signed, before disclosures). */
  readonly jws: DecodedJws;
  /** The compact JWT as presented. */
  readonly compact: string;
  /** The credential object: the `vc` claim (VCDM 1.1), or the payload itself (VCDM 2.0). */
  readonly object: Record<string, unknown>;
  readonly issuer: string;
  readonly types: readonly string[];
  /** The scope requirements whose `type` the credential carries (set by `required-types`). */
  requirements: FiwareCredentialRequirement[];
  /** SD-JWT VC: the KB-JWT key (= its cnf.jwk); JWT VCs are presented with the VP signer's key. */
  readonly holderKey?: KeyObject;
  /** SD-JWT VC: its IETF Token Status List reference (`status.status_list`). */
  readonly statusList?: { readonly uri: string; readonly idx: number };
}

/** A bare SD-JWT presentation before verification, with its KB-JWT's (unverified) aud and nonce. */
export interface PendingSdJwt {
  readonly presentation: string;
  readonly aud: string;
  readonly nonce: string;
}

export interface FiwarePresentationState {
  vps?: DecodedJws[];
  /** The presentation holder (`vp.holder`, else the VP `iss`), the token's `sub`. */
  holder?: string;
  holderKey?: KeyObject;
  /** Every presented credential. */
  credentials?: FiwareCredential[];
  /** Bare SD-JWT presentations, verified by `fiware-sd-jwt`. */
  sdJwts?: PendingSdJwt[];
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
