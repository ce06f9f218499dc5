/** What the Express and Fastify adapters share: building (or reusing) a validator. */
import { createAccessTokenValidator, type AccessTokenValidator, type ValidatorOptions } from '../validator.ts';
import type { Requirement } from '../powers.ts';

export interface AdapterOptions {
  /** A requirement every request must meet (a LEAR power, or a predicate); failing it answers 403 insufficient_scope. */
  require?: Requirement;
  /** `realm` of the `WWW-Authenticate` challenge. */
  realm?: string;
}

/** Either validator options, or an existing validator (to share its JWKS cache between middlewares). */
export type DomeOptions = (ValidatorOptions | { validator: AccessTokenValidator }) & AdapterOptions;

export function validatorOf(options: DomeOptions): AccessTokenValidator {
  return 'validator' in options ? options.validator : createAccessTokenValidator(options);
}
