/**
 * Authorize steps 3–7 — `redirect_uri` registered (exact string match; from here on, errors are
 * redirected there with `error`, `state` and `iss`), `response_type=code`, a scope naming a
 * DCQL profile, `state` present, and PKCE: S256 only, required for public clients
 * (`clientAuthenticationMethods: ["none"]`) and clients registered with `requireProofKey`.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { AuthorizeContext } from './context.ts';
import { selectDcqlProfiles } from '../oid4vp/dcql.ts';

export const checkRedirectUri: Step<AuthorizeContext> = {
  name: 'redirect-uri',
  run({ state }) {
    const uri = state.params.redirect_uri;
    if (!uri) throw new VerifierError('ERR_AUTHZ_REDIRECT_URI', 'redirect_uri is required');
    if (!state.client!.redirectUris.includes(uri)) throw new VerifierError('ERR_AUTHZ_REDIRECT_URI', 'the redirect_uri does not match any of the redirect URIs registered for the client');
    state.redirectUri = uri;
  },
};

export const checkResponseType: Step<AuthorizeContext> = {
  name: 'response-type',
  run({ state }) {
    const rt = state.params.response_type;
    if (rt === undefined) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'response_type is required');
    if (rt !== 'code') throw new VerifierError('ERR_AUTHZ_RESPONSE_TYPE', 'only response_type=code is supported');
  },
};

/**
 * Every scope but the OIDC companions (openid, profile, email, offline_access) must name a DCQL
 * profile of the trust framework — by default `learcredential` (or DOME's registry spelling
 * `openid_learcredential`), `learcredential.employee` and `learcredential.machine`, as IN2's V3
 * — and at least one must (dcql.ts).
 */
export const checkScope: Step<AuthorizeContext> = {
  name: 'scope',
  run({ deps, state }) {
    selectDcqlProfiles(deps.policy.dcqlProfiles, state.params.scope);
  },
};

const MAX_STATE = 1024;
export const checkStateAndNonce: Step<AuthorizeContext> = {
  name: 'state-nonce',
  run({ state }) {
    const s = state.params.state;
    if (!s) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'state is required');
    if (s.length > MAX_STATE) throw new VerifierError('ERR_AUTHZ_PARAMETER', `state must be at most ${MAX_STATE} characters`);
    if ((state.params.nonce?.length ?? 0) > MAX_STATE) throw new VerifierError('ERR_AUTHZ_PARAMETER', `nonce must be at most ${MAX_STATE} characters`);
  },
};

const CHALLENGE_RE = /^[A-Za-z0-9_-]{43}$/;
export const checkPkce: Step<AuthorizeContext> = {
  name: 'pkce',
  run({ state }) {
    const { code_challenge: challenge, code_challenge_method: method } = state.params;
    const client = state.client!;
    const required = client.requireProofKey || client.clientAuthenticationMethods.includes('none');
    if (challenge === undefined) {
      if (method !== undefined) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'code_challenge_method without code_challenge');
      if (required) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'this client must use PKCE (code_challenge with S256)');
      return;
    }
    if (method !== 'S256') throw new VerifierError('ERR_AUTHZ_PARAMETER', 'code_challenge_method must be S256');
    if (!CHALLENGE_RE.test(challenge)) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'code_challenge must be a base64url SHA-256 (43 characters)');
  },
};
