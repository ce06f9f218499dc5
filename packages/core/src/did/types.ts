/**
 * DID resolution types (W3C DID Core; the shape of the `did-resolver` package: a registry of
 * method drivers, errors as resolution metadata rather than exceptions; STYLE.md §3.1).
 */
import type { KeyObject } from 'node:crypto';

/** The closed set of resolution failures (did-resolver's `didResolutionMetadata.error`, extended). */
export type DidErrorCode =
  /** Not a DID (or DID URL) we can parse, or a method-specific id the method refuses. */
  | 'invalidDid'
  /** No driver is registered for the method. */
  | 'unsupportedDidMethod'
  /** The DID does not exist (did:web: HTTP 404/410). */
  | 'notFound'
  /** The document could not be obtained (did:web: unreachable, timeout, blocked address, other HTTP status, too large). */
  | 'resolutionFailed'
  /** A document was obtained but is unusable (not JSON, `id` ≠ the DID, malformed verification methods). */
  | 'invalidDidDocument'
  /** The document has no usable verification method for the DID URL (fragment / kid). */
  | 'keyNotFound';

/** A verification method as we use it: JWK-based, controlled by the DID itself. */
export interface VerificationMethod {
  /** Absolute id (`did#fragment`). */
  readonly id: string;
  readonly type: string;
  readonly controller: string;
  /** The public JWK as published (may carry `kid`, `x5u`, …; never private members). */
  readonly publicKeyJwk: Readonly<Record<string, unknown>>;
}

export interface DidDocument {
  readonly id: string;
  /** Usable (JWK) verification methods only; entries we cannot use are dropped. */
  readonly verificationMethod: readonly VerificationMethod[];
}

export interface DidResolutionMetadata {
  readonly error?: DidErrorCode;
  /** Human-readable reason; safe for logs and error descriptions (no key material). */
  readonly message?: string;
}

export interface DidResolutionResult {
  readonly didDocument: DidDocument | null;
  readonly didResolutionMetadata: DidResolutionMetadata;
}

/** A parsed DID URL: `did:<method>:<id>[#fragment]`. */
export interface ParsedDid {
  /** The DID without fragment. */
  readonly did: string;
  readonly method: string;
  /** Method-specific identifier. */
  readonly id: string;
  readonly fragment: string | undefined;
  /** The input. */
  readonly didUrl: string;
}

/** A verification key found for a DID URL. */
export interface ResolvedKey {
  readonly did: string;
  /** Absolute verification method id (`did#fragment`). */
  readonly vmId: string;
  readonly controller: string;
  readonly jwk: Readonly<Record<string, unknown>>;
  readonly key: KeyObject;
}

/** What a driver may use (the resolver's own options are closed over by the driver factories). */
export interface DidDriverContext {
  /** ms epoch (from the injected clock). */
  readonly now: number;
}

/**
 * A DID method driver: the DID document of `parsed.did`, or a `DidResolutionError` (never any
 * other exception for bad input).
 */
export type DidMethodDriver = (parsed: ParsedDid, context: DidDriverContext) => Promise<DidDocument>;

/** Registry of method drivers, keyed by method name (`key`, `jwk`, `web`, `elsi`, …). */
export type DidMethodRegistry = Readonly<Record<string, DidMethodDriver>>;

export class DidResolutionError extends Error {
  override name = 'DidResolutionError';
  readonly code: DidErrorCode;
  constructor(code: DidErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
