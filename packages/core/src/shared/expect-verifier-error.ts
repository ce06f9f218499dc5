/**
 * Test-only assertion (imported only by `*.test.ts` files): a predicate for `assert.rejects` /
 * `assert.throws` that requires a VerifierError with the exact code and message.
 */
import assert from 'node:assert/strict';
import { VerifierError } from '../errors/verifier-error.ts';
import type { ErrorCode } from '../errors/codes.ts';

export function verifierError(code: ErrorCode, message: string | RegExp): (e: unknown) => true {
  return (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  };
}
