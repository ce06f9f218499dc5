/** What `inspectToken` takes and returns (the `dome-verifier inspect` command prints it). */
import type { ErrorCode } from '../errors/codes.ts';
import type { Clock } from '../ports/clock.ts';
import type { TokenEndpointDeps } from '../oauth/token/context.ts';
import type { AuthorizeDeps } from '../oauth/authorize/context.ts';

export type InspectKind = 'vc' | 'vp' | 'client-assertion' | 'request-object' | 'access-token';
export const INSPECT_KINDS: readonly InspectKind[] = ['vc', 'vp', 'client-assertion', 'request-object', 'access-token'];

/**
 * One step's outcome. `ok` is true only when the step ran and passed. A step that could not run
 * because an earlier step produced nothing has `ok: false`, no `code`, status `not-run` and the
 * message `not run: depends on <step>`.
 */
export interface CheckResult {
  step: string;
  ok: boolean;
  code?: ErrorCode;
  message?: string;
  status: 'passed' | 'failed' | 'not-run';
}

/** A step left out because it does not apply to this inspection (never counted as passed). */
export interface SkippedCheck {
  step: string;
  reason: string;
}

/** A JWT found inside the inspected one (the VP of a client assertion, the VC of a VP), decoded without verification. */
export interface EmbeddedJwt {
  kind: 'vp' | 'vc';
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface InspectionReport {
  kind: InspectKind;
  /** Decoded without verification (empty when the input does not decode). */
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** In pipeline order. */
  checks: CheckResult[];
  /** True when at least one check ran and every check passed. */
  valid: boolean;
  /** Steps of the pipeline that were not applicable (e.g. the OpenID4VP nonce check without a nonce). */
  skipped: SkippedCheck[];
  embedded: EmbeddedJwt[];
}

/**
 * What the runtime provides (`@dome-verifier/server`'s `Runtime` has exactly these members, so a
 * runtime can be passed as is).
 */
export interface InspectDeps {
  /** Token endpoint dependencies: client authentication and the presentation pipeline. */
  tokenDeps: TokenEndpointDeps;
  authorizeDeps: AuthorizeDeps;
  /** The verifier identity (access tokens are signed with its key, `kid` = its did). */
  identity: { readonly did: string; readonly publicJwk: Readonly<Record<string, string>> };
  /** The verifier URL (`verifier.backend.url`), the `iss` of access tokens. */
  issuer: string;
  /** Replaces the dependencies' clock (e.g. a fixed time); default: theirs. */
  clock?: Clock;
}

export interface InspectOptions {
  /** Default: detected from the JWT's shape (see `detectKind`). */
  kind?: InspectKind;
  /** `vp`: the client the presentation must come from (M2M presenter). */
  clientId?: string;
  /** `vp` / `client-assertion`: the OpenID4VP nonce the presentation must echo (H2M). */
  nonce?: string;
  /** Accepted presentation audiences (checked together with the nonce). */
  audiences?: readonly string[];
}
