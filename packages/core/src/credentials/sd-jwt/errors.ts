/**
 * The closed union of SD-JWT VC verification failures (the sd-jwt-js `VerificationErrorCode`
 * idea, STYLE.md §3.2), each mapped to one stable `ERR_*` code of errors/codes.ts. `failure`
 * is the fine-grained reason (for `inspect` and tests); `code` is what a client sees.
 */
import type { ErrorCode } from '../../errors/codes.ts';
import { VerifierError } from '../../errors/verifier-error.ts';

export const SD_JWT_FAILURES = {
  PRESENTATION_MALFORMED: 'ERR_SD_JWT_MALFORMED',
  PRESENTATION_TOO_LARGE: 'ERR_SD_JWT_TOO_LARGE',
  ISSUER_JWT_MALFORMED: 'ERR_SD_JWT_MALFORMED',
  ISSUER_JWT_TYP: 'ERR_SD_JWT_HEADER',
  ISSUER_JWT_ALG: 'ERR_SD_JWT_HEADER',
  ISSUER_KEY_UNSUPPORTED: 'ERR_SD_JWT_ISSUER_KEY',
  ISSUER_CERTIFICATE_INVALID: 'ERR_SD_JWT_CERTIFICATE',
  ISSUER_ORGANIZATION_MISMATCH: 'ERR_SD_JWT_ORGANIZATION_MISMATCH',
  ISSUER_SIGNATURE_INVALID: 'ERR_SD_JWT_SIGNATURE',
  JWT_EXPIRED: 'ERR_SD_JWT_TIME',
  JWT_NOT_YET_VALID: 'ERR_SD_JWT_TIME',
  SD_ALG_UNSUPPORTED: 'ERR_SD_JWT_SD_ALG',
  DISCLOSURE_MALFORMED: 'ERR_SD_JWT_DISCLOSURE',
  DISCLOSURE_UNREFERENCED: 'ERR_SD_JWT_DISCLOSURE',
  DIGEST_DUPLICATE: 'ERR_SD_JWT_DISCLOSURE',
  DISCLOSURE_RESERVED_NAME: 'ERR_SD_JWT_DISCLOSURE',
  DISCLOSURE_CLAIM_CONFLICT: 'ERR_SD_JWT_DISCLOSURE',
  DISCLOSURE_TOO_DEEP: 'ERR_SD_JWT_TOO_LARGE',
  HOLDER_KEY_INVALID: 'ERR_SD_JWT_HOLDER_KEY',
  KEY_BINDING_MISSING: 'ERR_SD_JWT_KB_MISSING',
  KEY_BINDING_MALFORMED: 'ERR_SD_JWT_KB_INVALID',
  KEY_BINDING_TYP: 'ERR_SD_JWT_KB_INVALID',
  KEY_BINDING_SIGNATURE_INVALID: 'ERR_SD_JWT_KB_INVALID',
  KEY_BINDING_AUDIENCE_INVALID: 'ERR_SD_JWT_KB_AUDIENCE',
  KEY_BINDING_NONCE_INVALID: 'ERR_SD_JWT_KB_NONCE',
  KEY_BINDING_SD_HASH_INVALID: 'ERR_SD_JWT_KB_SD_HASH',
  KEY_BINDING_IAT_INVALID: 'ERR_SD_JWT_KB_IAT',
  VCT_UNSUPPORTED: 'ERR_SD_JWT_VCT',
  MANDATE_INCOMPLETE: 'ERR_SD_JWT_VCT',
} as const satisfies Record<string, ErrorCode>;

export type SdJwtFailure = keyof typeof SD_JWT_FAILURES;

export class SdJwtError extends VerifierError {
  override name = 'SdJwtError';
  readonly failure: SdJwtFailure;
  constructor(failure: SdJwtFailure, description: string, options?: { cause?: unknown }) {
    super(SD_JWT_FAILURES[failure], description, options);
    this.failure = failure;
  }
}

export function sdJwtFail(failure: SdJwtFailure, description: string, cause?: unknown): never {
  throw new SdJwtError(failure, description, cause === undefined ? undefined : { cause });
}
