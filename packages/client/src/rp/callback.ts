/**
 * The authorization response at the RP's `redirect_uri` (`?code&state&iss`, or `?error&state&iss`).
 * Checked in this order: one value per parameter; `iss` present and equal to the verifier issuer
 * (RFC 9207 mix-up defence — the verifier always sends it, errors included); `state` equal to the
 * one stored for this browser; an `error` becomes OAuthError with the server's code; then `code`.
 */
import { OAuthError } from '../oauth-error.ts';
import type { AuthorizationServerMetadata } from './discover.ts';

export interface ValidateCallbackOptions {
  /** The `state` sent in the authorization request (from the user's session). */
  expectedState: string;
  /** The verifier issuer (or its metadata). */
  issuer: string | Pick<AuthorizationServerMetadata, 'issuer'>;
}

const MAX_DESCRIPTION = 300;

function paramsOf(input: string | URL | URLSearchParams): URLSearchParams {
  if (input instanceof URLSearchParams) return input;
  if (input instanceof URL) return input.searchParams;
  if (typeof input !== 'string') throw new TypeError('validateCallback: a URL, a query string or URLSearchParams is required');
  // Absolute URL, path + query (`/callback?code=…`, as node:http gives it) or a bare query.
  if (input.startsWith('?')) return new URLSearchParams(input);
  return new URL(input, 'http://callback.invalid').searchParams;
}

function single(params: URLSearchParams, name: string): string | undefined {
  const all = params.getAll(name);
  if (all.length > 1) throw new OAuthError('invalid_request', { description: `the authorization response repeats ${name}` });
  return all[0];
}

/** Returns the authorization code; throws OAuthError (`issuer_mismatch`, `state_mismatch`, the server's `error`, `invalid_response`). */
export function validateCallback(input: string | URL | URLSearchParams, o: ValidateCallbackOptions): string {
  const issuer = typeof o.issuer === 'string' ? o.issuer : o.issuer.issuer;
  if (typeof issuer !== 'string' || issuer === '') throw new TypeError('validateCallback: issuer is required');
  if (typeof o.expectedState !== 'string' || o.expectedState === '') throw new TypeError('validateCallback: expectedState is required');
  const params = paramsOf(input);
  const iss = single(params, 'iss');
  const state = single(params, 'state');
  const error = single(params, 'error');
  const code = single(params, 'code');
  if (iss === undefined) throw new OAuthError('issuer_mismatch', { description: 'the authorization response has no iss parameter (RFC 9207)' });
  if (iss !== issuer) throw new OAuthError('issuer_mismatch', { description: 'the authorization response comes from another issuer' });
  if (state !== o.expectedState) {
    throw new OAuthError('state_mismatch', { description: state === undefined ? 'the authorization response has no state' : 'the authorization response state is not the expected one' });
  }
  if (error !== undefined) {
    const raw = single(params, 'error_description');
    const description = raw === undefined ? undefined : raw.replace(/\s+/g, ' ').slice(0, MAX_DESCRIPTION);
    throw new OAuthError(error.slice(0, 100), { description });
  }
  if (code === undefined || code === '') throw new OAuthError('invalid_response', { description: 'the authorization response has no code' });
  return code;
}
