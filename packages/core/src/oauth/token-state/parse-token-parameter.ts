/**
 * Step 1 of revocation and introspection — the `token` parameter is present; `token_type_hint`,
 * when sent, is one of the types this server issues. The two token kinds have disjoint shapes
 * (a signed JWT, a 43-character opaque value), so the hint never changes where the token is
 * looked up (RFC 7009 §2.1 and RFC 7662 §2.1 let a server ignore it). An other hint is refused
 * at revocation with `unsupported_token_type` (RFC 7009 §2.2.1: we revoke no other type) and
 * ignored at introspection (RFC 7662 has no such error; the search covers every type).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { TOKEN_TYPE_HINTS, type TokenStateContext } from './context.ts';

function tokenParameter(ctx: TokenStateContext): string {
  const token = ctx.params.token;
  if (!token) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'token is required');
  return token;
}

export const revocationRequest: Step<TokenStateContext> = {
  name: 'revocation-request',
  run(ctx) {
    ctx.state.token = tokenParameter(ctx);
    const hint = ctx.params.token_type_hint;
    if (hint !== undefined && !(TOKEN_TYPE_HINTS as readonly string[]).includes(hint)) {
      throw new VerifierError('ERR_TOKEN_TYPE_UNSUPPORTED', 'only access tokens and refresh tokens can be revoked');
    }
  },
};

export const introspectionRequest: Step<TokenStateContext> = {
  name: 'introspection-request',
  run(ctx) {
    ctx.state.token = tokenParameter(ctx);
  },
};
