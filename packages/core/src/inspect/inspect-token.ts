/**
 * `inspectToken`: runs the server's own validation steps on a JWT and lists every step's
 * outcome (collect-all), for `dome-verifier inspect`. The steps are those of the server. Only
 * their order and bookkeeping are inspection's own: prerequisites (a step whose input was never
 * produced is reported as not run), no replay reservation, no writes to the store, and no
 * verified-credential cache (every signature is verified now).
 */
import { VerifierError } from '../errors/verifier-error.ts';
import { importPublicJwk } from '../jose/keys.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import { isRecord } from '../shared/json.ts';
import type { Step } from '../shared/pipeline.ts';
import type { PresentationContext, PresentationDeps, PresentationInput } from '../credentials/context.ts';
import { PRESENTATION_CHECKS } from '../credentials/verify-presentation.ts';
import { credentialObject, MAX_VC_LENGTH, parsePresentation } from '../credentials/checks/parse-presentation.ts';
import { checkPresentationSession } from '../credentials/checks/check-presentation-session.ts';
import { checkCredentialType } from '../credentials/checks/check-credential-type.ts';
import { checkCredentialFormat } from '../credentials/checks/check-credential-format.ts';
import { checkCredentialTime } from '../credentials/checks/check-credential-time.ts';
import { checkIssuerTrusted } from '../credentials/checks/check-issuer-trusted.ts';
import { checkClaimRestrictionsStep } from '../credentials/checks/check-claim-restrictions.ts';
import { checkVcSignature } from '../credentials/checks/check-vc-signature.ts';
import { checkRevocation } from '../credentials/checks/check-revocation.ts';
import { checkMandator } from '../credentials/checks/check-mandator.ts';
import { credentialTypes, kindOf, type CredentialKind } from '../credentials/lear-credential.ts';
import { CLIENT_AUTH_STEPS } from '../oauth/client-auth/authenticate-client.ts';
import type { ClientAuthContext } from '../oauth/client-auth/context.ts';
import { JWT_BEARER } from '../oauth/client-auth/parse-client-assertion.ts';
import { reserveAssertionJti } from '../oauth/client-auth/reserve-assertion-jti.ts';
import { decodeVpTokenClaim } from '../oauth/token/grants/client-credentials.ts';
import type { AuthorizeContext } from '../oauth/authorize/context.ts';
import { AUTHORIZE_STEPS } from '../oauth/authorize/authorize.ts';
import { admitLogin } from '../oauth/authorize/admit-login.ts';
import { ACCESS_TOKEN_CHECKS, ACCESS_TOKEN_PREREQUISITES, type AccessTokenContext } from './access-token-checks.ts';
import { decodeUnverified, detectKind, InspectInputError } from './detect-kind.ts';
import { AUTHORIZE_PREREQUISITES, CLIENT_AUTH_PREREQUISITES, presentationPrerequisites } from './prerequisites.ts';
import { notRun, runCheck, runChecks } from './run-checks.ts';
import type { CheckResult, EmbeddedJwt, InspectDeps, InspectionReport, InspectKind, InspectOptions, SkippedCheck } from './types.ts';

interface Outcome {
  checks: CheckResult[];
  skipped: SkippedCheck[];
  embedded: EmbeddedJwt[];
}

/** Inspection reads through the store but never writes (no replay entries, no sessions). */
function readOnlyStore(store: Store): Store {
  const refuse = async (): Promise<never> => {
    throw new Error('inspection does not write to the store');
  };
  return { get: (key) => store.get(key), setIfAbsent: refuse, set: refuse, take: refuse, delete: refuse, close: async () => undefined };
}

function presentationDeps(deps: InspectDeps, clock: Clock): PresentationDeps {
  const { tokenDeps } = deps;
  // No credential cache: a cached verdict would let vc-signature pass without verifying.
  return {
    clock,
    policy: tokenDeps.presentationPolicy,
    issuers: tokenDeps.issuers,
    revocation: tokenDeps.revocation,
    statusLists: tokenDeps.statusLists,
    x5c: tokenDeps.x5c,
  };
}

const embeddedOf = (kind: EmbeddedJwt['kind'], jws: { header: Record<string, unknown>; payload: Record<string, unknown> } | undefined): EmbeddedJwt[] =>
  jws ? [{ kind, header: { ...jws.header }, claims: { ...jws.payload } }] : [];

/** machine or employee, from the types of a VC-JWT (undefined when it does not decode or is no LEAR credential). */
function kindOfCredentialJwt(vcJwt: unknown): CredentialKind | undefined {
  if (typeof vcJwt !== 'string') return undefined;
  const claims = decodeUnverified(vcJwt)?.claims;
  const vc = claims && credentialObject(claims);
  return vc ? kindOf(credentialTypes(vc)) : undefined;
}

function firstCredentialOfVp(vpJwt: string): unknown {
  const vp = decodeUnverified(vpJwt)?.claims.vp;
  return isRecord(vp) && Array.isArray(vp.verifiableCredential) ? vp.verifiableCredential[0] : undefined;
}

const NONCE_SKIPPED: SkippedCheck = {
  step: checkPresentationSession.name,
  reason: 'no nonce given: the OpenID4VP nonce and audience are checked for wallet logins only',
};

/** The presentation pipeline; `blockedBy` reports every step as not run (the VP could not be obtained). */
async function presentation(input: PresentationInput | undefined, deps: PresentationDeps, nonce: string | undefined, earlier: readonly CheckResult[], blockedBy?: string): Promise<Outcome> {
  const steps = PRESENTATION_CHECKS.filter((s) => s !== checkPresentationSession || nonce !== undefined);
  const skipped = nonce === undefined ? [NONCE_SKIPPED] : [];
  if (!input) return { checks: steps.map((s) => notRun(s.name, blockedBy ?? 'vp-token')), skipped, embedded: [] };
  const ctx: PresentationContext = { input, deps, state: {} };
  const checks = await runChecks(steps, ctx, presentationPrerequisites(), earlier);
  return { checks, skipped, embedded: [...embeddedOf('vp', ctx.state.vp), ...embeddedOf('vc', ctx.state.vc)] };
}

function presentationInput(vpJwt: string, expectedKind: CredentialKind, presenter: string | undefined, options: InspectOptions): PresentationInput {
  return {
    vpJwt,
    expectedKind,
    ...(presenter !== undefined ? { presenter } : {}),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
    ...(options.audiences !== undefined ? { audiences: options.audiences } : {}),
  };
}

async function inspectVp(jwt: string, deps: InspectDeps, clock: Clock, options: InspectOptions): Promise<Outcome> {
  const expectedKind = kindOfCredentialJwt(firstCredentialOfVp(jwt)) ?? 'machine';
  const out = await presentation(presentationInput(jwt, expectedKind, options.clientId, options), presentationDeps(deps, clock), options.nonce, []);
  return { ...out, embedded: out.embedded.filter((e) => e.kind === 'vc') };
}

/**
 * The VC goes through parse-presentation itself, wrapped in an unsigned stand-in VP, so that it
 * is decoded with exactly the server's limits and error messages. The stand-in is dropped
 * from the state right after; no VP step runs.
 */
const parseCredential: Step<PresentationContext> = {
  name: 'parse-credential',
  async run(ctx) {
    try {
      await parsePresentation.run(ctx);
    } catch (e) {
      // Only the stand-in's size can fail at VP level, and only for a VC over the VC limit.
      if (e instanceof VerifierError && e.code === 'ERR_VP_MALFORMED') throw new VerifierError('ERR_VC_MALFORMED', `the credential is not a valid JWT: JWS exceeds ${MAX_VC_LENGTH} characters`);
      throw e;
    } finally {
      delete ctx.state.vp;
    }
  },
};

const b64json = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const standInVp = (vcJwt: string) => `${b64json({ alg: 'ES256', typ: 'JWT' })}.${b64json({ vp: { verifiableCredential: [vcJwt] } })}.AA`;
const CREDENTIAL_STEPS: ReadonlySet<Step<PresentationContext>> = new Set([checkCredentialType, checkCredentialFormat, checkCredentialTime, checkIssuerTrusted, checkClaimRestrictionsStep, checkVcSignature, checkRevocation, checkMandator]);

async function inspectVc(jwt: string, deps: InspectDeps, clock: Clock): Promise<Outcome> {
  const steps = [parseCredential, ...PRESENTATION_CHECKS.filter((s) => CREDENTIAL_STEPS.has(s))];
  const input: PresentationInput = { vpJwt: standInVp(jwt), expectedKind: kindOfCredentialJwt(jwt) ?? 'machine' };
  const ctx: PresentationContext = { input, deps: presentationDeps(deps, clock), state: {} };
  return { checks: await runChecks(steps, ctx, presentationPrerequisites(parseCredential.name)), skipped: [], embedded: [] };
}

const REPLAY_SKIPPED: SkippedCheck = {
  step: reserveAssertionJti.name,
  reason: 'inspection does not reserve the assertion jti (single use is enforced by the token endpoint)',
};

async function inspectClientAssertion(jwt: string, claims: Record<string, unknown>, deps: InspectDeps, clock: Clock, options: InspectOptions): Promise<Outcome> {
  const { tokenDeps } = deps;
  const params: Record<string, string> = { client_assertion_type: JWT_BEARER, client_assertion: jwt };
  if (typeof claims.iss === 'string') params.client_id = claims.iss;
  const ctx: ClientAuthContext = {
    params,
    authorizationHeader: undefined,
    deps: { clock, store: readOnlyStore(tokenDeps.store), policy: tokenDeps.policy, clients: tokenDeps.clients, clientKeys: tokenDeps.clientKeys },
    state: {},
  };
  const auth = await runChecks(CLIENT_AUTH_STEPS.filter((s) => s !== reserveAssertionJti), ctx, CLIENT_AUTH_PREREQUISITES);
  const skipped = [REPLAY_SKIPPED];

  const payload = ctx.state.assertion?.payload;
  if (payload && payload.vp_token === undefined) {
    skipped.push({ step: 'presentation', reason: 'the client assertion carries no vp_token (only client_credentials requires one)' });
    return { checks: auth, skipped, embedded: [] };
  }
  const decoded: { vpJwt?: string } = {};
  const vpToken = payload
    ? await runCheck({ name: 'vp-token', run: (d) => void (d.vpJwt = decodeVpTokenClaim(payload.vp_token)) }, decoded)
    : notRun('vp-token', 'parse-client-assertion');
  // As the server's client_credentials grant: a LEARCredentialMachine presented by the client itself.
  const presenter = typeof payload?.iss === 'string' ? payload.iss : undefined;
  const input = decoded.vpJwt === undefined ? undefined : presentationInput(decoded.vpJwt, 'machine', presenter, options);
  const vp = await presentation(input, presentationDeps(deps, clock), options.nonce, [...auth, vpToken]);
  return { checks: [...auth, vpToken, ...vp.checks], skipped: [...skipped, ...vp.skipped], embedded: vp.embedded };
}

/** The steps /oidc/authorize runs on a request, up to (not including) holding a login slot. */
export const REQUEST_OBJECT_CHECKS = AUTHORIZE_STEPS.filter((step) => step !== admitLogin);

async function inspectRequestObject(jwt: string, claims: Record<string, unknown>, deps: InspectDeps, clock: Clock): Promise<Outcome> {
  const raw: Record<string, string> = { request: jwt };
  const clientId = claims.client_id ?? claims.iss;
  if (typeof clientId === 'string') raw.client_id = clientId;
  if (typeof claims.response_type === 'string') raw.response_type = claims.response_type;
  const { authorizeDeps } = deps;
  const ctx: AuthorizeContext = { raw, deps: { ...authorizeDeps, clock, store: readOnlyStore(authorizeDeps.store) }, state: { params: {} }, source: {} };
  return { checks: await runChecks(REQUEST_OBJECT_CHECKS, ctx, AUTHORIZE_PREREQUISITES), skipped: [], embedded: [] };
}

async function inspectAccessToken(jwt: string, deps: InspectDeps, clock: Clock): Promise<Outcome> {
  const { tokenDeps, identity } = deps;
  const ctx: AccessTokenContext = {
    jwt,
    deps: {
      clock,
      issuer: deps.issuer,
      key: importPublicJwk({ kty: identity.publicJwk.kty, crv: identity.publicJwk.crv, x: identity.publicJwk.x, y: identity.publicJwk.y }),
      did: identity.did,
      typ: tokenDeps.tokenPolicy.accessTokenTyp,
      clockSkewSeconds: tokenDeps.policy.clockSkewSeconds,
    },
    state: {},
  };
  return { checks: await runChecks(ACCESS_TOKEN_CHECKS, ctx, ACCESS_TOKEN_PREREQUISITES), skipped: [], embedded: [] };
}

/**
 * Inspects `jwt` (surrounding whitespace ignored) as `options.kind`, or as the kind its shape
 * shows (`detectKind`, which throws `InspectInputError` when it cannot tell). Never writes to the
 * store; network access is what the server's steps do (trust lists, status lists, client JWKS).
 */
export async function inspectToken(jwt: string, deps: InspectDeps, options: InspectOptions = {}): Promise<InspectionReport> {
  const token = jwt.trim();
  const kind: InspectKind = options.kind ?? detectKind(token, { issuer: deps.issuer });
  const { header, claims } = decodeUnverified(token) ?? { header: {}, claims: {} };
  const clock = deps.clock ?? deps.tokenDeps.clock;
  let out: Outcome;
  switch (kind) {
    case 'vp':
      out = await inspectVp(token, deps, clock, options);
      break;
    case 'vc':
      out = await inspectVc(token, deps, clock);
      break;
    case 'client-assertion':
      out = await inspectClientAssertion(token, claims, deps, clock, options);
      break;
    case 'request-object':
      out = await inspectRequestObject(token, claims, deps, clock);
      break;
    case 'access-token':
      out = await inspectAccessToken(token, deps, clock);
      break;
    default:
      throw new InspectInputError(`unknown kind ${JSON.stringify(String(kind))}`);
  }
  return {
    kind,
    header,
    claims,
    checks: out.checks,
    valid: out.checks.length > 0 && out.checks.every((c) => c.ok),
    skipped: out.skipped,
    embedded: out.embedded,
  };
}
