/**
 * `GET|POST /oidc/authorize`, framework-free. The steps run in order; a failure before the
 * redirect_uri is validated is shown on an error page (never redirected), after it is redirected
 * to the client with `error`, `error_description`, `state` and `iss` (RFC 9207).
 */
import type { Step } from '../../shared/pipeline.ts';
import { runSteps } from '../../shared/pipeline.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { AuthorizeContext, AuthorizeDeps, AuthorizeResult, AuthorizeSource } from './context.ts';
import { checkClient } from './check-client.ts';
import { processRequestObject } from './process-request-object.ts';
import { checkPkce, checkRedirectUri, checkResponseType, checkScope, checkStateAndNonce } from './check-request-parameters.ts';
import { admitLogin } from './admit-login.ts';
import { createLogin } from './create-login.ts';

export const AUTHORIZE_STEPS: readonly Step<AuthorizeContext>[] = [
  checkClient,
  processRequestObject,
  checkRedirectUri,
  checkResponseType,
  checkScope,
  checkStateAndNonce,
  checkPkce,
  admitLogin,
];

export type AuthorizeOutcome =
  | { kind: 'login'; result: AuthorizeResult }
  /** Redirect the error to the client (redirect_uri was validated). */
  | { kind: 'redirect-error'; location: string; error: VerifierError }
  /** Show an error page: no safe redirect target. */
  | { kind: 'page-error'; error: VerifierError; homeUri?: string };

/** Refusals shown as an error page with their own status even when redirect_uri is known. */
const PAGE_ONLY: ReadonlySet<string> = new Set(['ERR_AUTHZ_REDIRECT_URI', 'ERR_AUTHZ_CLIENT_UNKNOWN', 'ERR_LOGIN_RATE_LIMITED', 'ERR_LOGIN_CAPACITY']);

/** Appends `params` to a redirect URI that may already have a query. */
export function withQuery(uri: string, params: Record<string, string | undefined>): string {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

export async function handleAuthorizeRequest(
  deps: AuthorizeDeps,
  raw: Readonly<Record<string, string>>,
  onFailure?: Parameters<typeof runSteps>[2],
  source: AuthorizeSource = {},
): Promise<AuthorizeOutcome> {
  const ctx: AuthorizeContext = { raw, deps, state: { params: {} }, source };
  try {
    await runSteps(AUTHORIZE_STEPS, ctx, onFailure);
    return { kind: 'login', result: await createLogin(ctx) };
  } catch (e) {
    ctx.state.slot?.release();
    if (!(e instanceof VerifierError)) throw e;
    const client = ctx.state.client;
    // Before redirect_uri is validated, an outer redirect_uri that is registered is still safe.
    const target = ctx.state.redirectUri ?? (client && raw.redirect_uri && client.redirectUris.includes(raw.redirect_uri) ? raw.redirect_uri : undefined);
    if (!target || PAGE_ONLY.has(e.code)) {
      return { kind: 'page-error', error: e, ...(client?.url ? { homeUri: client.url } : {}) };
    }
    const location = withQuery(target, { error: e.error, error_description: e.message, state: ctx.state.params.state ?? raw.state, iss: deps.policy.issuer });
    return { kind: 'redirect-error', location, error: e };
  }
}
