/**
 * The FIWARE service model: services → scopes → credential requirements, in the JSON shape of
 * FIWARE VCVerifier's `ConfiguredService` (the same JSON its static YAML, an external Credentials
 * Config Service and its built-in `/service` API use), so that FIWARE configurations and
 * registration jobs work unchanged. One parser serves `verifier.fiware.services` (YAML list or
 * JSON text) and the `/service` API bodies.
 *
 * Beyond VCVerifier's shape (documented in docs/fiware.md), a service may carry:
 *   - `allowUnboundVp` (default false): accept VP JWTs without `aud`, `nonce` and `exp` on the
 *     `vp_token` grant (FIWARE's machine clients send them so; the replay risk is documented);
 *   - `redirectUris`: the exact redirect URIs its browser logins may use.
 *
 * Every list and map is bounded, so neither a configuration file nor an API caller can make the
 * verifier hold unbounded structures. Unknown keys are refused (a misspelt key would otherwise
 * silently relax a check).
 */
import { z } from 'zod';

export const AUTHORIZATION_TYPES = ['DEEPLINK', 'FRONTEND_V2'] as const;
export type AuthorizationType = (typeof AUTHORIZATION_TYPES)[number];

export const TRUSTED_PARTICIPANT_LIST_TYPES = ['ebsi', 'gaia-x'] as const;
export type TrustedParticipantListType = (typeof TRUSTED_PARTICIPANT_LIST_TYPES)[number];

/** Limits of one service (and of the service list). */
export const FIWARE_LIMITS = {
  services: 1000,
  scopesPerService: 64,
  credentialsPerScope: 32,
  urlsPerList: 16,
  claimsToInclude: 64,
  /** Bytes of one `dcql` or `presentationDefinition` object as JSON. */
  queryBytes: 16 * 1024,
  idLength: 128,
  scopeNameLength: 256,
  redirectUris: 32,
} as const;

/** A service id is one URL path segment (`/services/{id}/token`): unreserved characters only. */
const SERVICE_ID = /^[A-Za-z0-9._~-]+$/;

export interface TrustedParticipantsList {
  readonly type: TrustedParticipantListType;
  readonly url: string;
}

export interface ClaimInclusion {
  readonly originalKey: string;
  /** Key in the token; `originalKey` when absent. */
  readonly newKey?: string;
}

/** What one credential type of a scope must satisfy (VCVerifier `Credential`). */
export interface FiwareCredentialRequirement {
  /** Matched against each entry of the VC's `type` (SD-JWT VC: `vct`). */
  readonly type: string;
  readonly trustedParticipantsLists: readonly TrustedParticipantsList[];
  /** Trusted Issuers List base URLs (`<base>/v4/issuers/<did>`); `['*']` skips the check for this type. */
  readonly trustedIssuersLists: readonly string[];
  readonly holderVerification: { readonly enabled: boolean; readonly claim: string };
  readonly requireCompliance: boolean;
  readonly jwtInclusion: { readonly enabled: boolean; readonly fullInclusion: boolean; readonly claimsToInclude: readonly ClaimInclusion[] };
  readonly credentialStatus: { readonly enabled: boolean; readonly acceptedPurposes: readonly string[]; readonly requireStatus: boolean };
}

/** JSON object copied as is into request objects (`dcql_query` / `presentation_definition`). */
export type JsonObject = { readonly [key: string]: unknown };

/** One scope of a service (VCVerifier `ScopeEntry`). */
export interface FiwareScope {
  readonly credentials: readonly FiwareCredentialRequirement[];
  readonly presentationDefinition?: JsonObject;
  readonly dcql?: JsonObject;
  readonly flatClaims: boolean;
}

/** One service (VCVerifier `ConfiguredService`): its id is the OAuth client_id and the token `aud`. */
export interface FiwareService {
  readonly id: string;
  readonly defaultOidcScope: string;
  readonly authorizationType?: AuthorizationType;
  readonly authorizationPath?: string;
  readonly allowedOrigins?: readonly string[];
  /** Scope name → scope; names may contain spaces (`openid learcredential`). */
  readonly oidcScopes: Readonly<Record<string, FiwareScope>>;
  /** Our leniency flag (default false), see the module comment. */
  readonly allowUnboundVp: boolean;
  /** Our hardening: exact redirect URIs of browser logins. */
  readonly redirectUris?: readonly string[];
}

/** YAML scalars reach the schema as text (config/file-source.ts): `true`/`false` are booleans here. */
const flag = (defaultValue: boolean) =>
  z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean().default(defaultValue));

/** DCQL / Presentation Exchange keys whose YAML text `true`/`false` means a boolean. */
const QUERY_BOOLEAN_KEYS = new Set(['multiple', 'require_cryptographic_holder_binding', 'intent_to_retain', 'required', 'optional', 'limit_disclosure']);

/** YAML maps (read as `Map`) become plain objects; boolean keys of queries become booleans. */
export function plainFromYaml(value: unknown, key?: string): unknown {
  if (value instanceof Map) return plainFromYaml(Object.fromEntries(value), key);
  if (Array.isArray(value)) return value.map((v) => plainFromYaml(v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainFromYaml(v, k)]));
  }
  if (key !== undefined && QUERY_BOOLEAN_KEYS.has(key) && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

const httpUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}, 'must be an http(s) URL without credentials');

const boundedJsonObject = z
  .record(z.string(), z.unknown())
  .refine((v) => JSON.stringify(v).length <= FIWARE_LIMITS.queryBytes, `must be at most ${FIWARE_LIMITS.queryBytes} bytes as JSON`);

const participantsList = z.union([
  httpUrl.transform((url): TrustedParticipantsList => ({ type: 'ebsi', url })),
  z.strictObject({ type: z.enum(TRUSTED_PARTICIPANT_LIST_TYPES).default('ebsi'), url: httpUrl }),
]);

const credentialRequirement = z.strictObject({
  type: z.string().trim().min(1, 'must be a non-empty credential type').max(FIWARE_LIMITS.scopeNameLength),
  trustedParticipantsLists: z.array(participantsList).max(FIWARE_LIMITS.urlsPerList).default([]),
  trustedIssuersLists: z
    .array(z.union([z.literal('*'), httpUrl]))
    .max(FIWARE_LIMITS.urlsPerList)
    .default([])
    .refine((v) => !v.includes('*') || v.length === 1, '`*` must stand alone'),
  holderVerification: z
    .strictObject({ enabled: flag(false), claim: z.string().min(1).max(256).default('subject') })
    .default({ enabled: false, claim: 'subject' }),
  requireCompliance: flag(false),
  jwtInclusion: z
    .strictObject({
      enabled: flag(true),
      fullInclusion: flag(false),
      claimsToInclude: z
        .array(z.strictObject({ originalKey: z.string().min(1).max(256), newKey: z.string().min(1).max(256).optional() }))
        .max(FIWARE_LIMITS.claimsToInclude)
        .default([]),
    })
    .default({ enabled: true, fullInclusion: false, claimsToInclude: [] }),
  credentialStatus: z
    .strictObject({
      enabled: flag(false),
      acceptedPurposes: z.array(z.string().min(1).max(64)).max(8).default(['revocation']),
      requireStatus: flag(false),
    })
    .default({ enabled: false, acceptedPurposes: ['revocation'], requireStatus: false }),
});

const scopeEntry = z.strictObject({
  credentials: z.array(credentialRequirement).min(1, 'must list at least one credential').max(FIWARE_LIMITS.credentialsPerScope),
  presentationDefinition: boundedJsonObject.optional(),
  dcql: boundedJsonObject
    .refine((v) => Array.isArray(v['credentials']) && v['credentials'].length > 0, 'must have a non-empty `credentials` list')
    .optional(),
  flatClaims: flag(false),
});

/** Schema of one service, as configured or sent to the `/service` API. */
export const fiwareServiceSchema = z
  .strictObject({
    id: z.string().min(1, 'is required').max(FIWARE_LIMITS.idLength).regex(SERVICE_ID, 'must be one URL path segment (letters, digits, `.`, `_`, `~`, `-`)'),
    defaultOidcScope: z.string().min(1, 'is required').max(FIWARE_LIMITS.scopeNameLength),
    authorizationType: z.enum(AUTHORIZATION_TYPES).optional(),
    authorizationPath: z.string().regex(/^\/[^\s?#]*$/, 'must be an absolute path').max(256).optional(),
    allowedOrigins: z.array(httpUrl).max(FIWARE_LIMITS.urlsPerList).optional(),
    oidcScopes: z
      .record(z.string().min(1).max(FIWARE_LIMITS.scopeNameLength), scopeEntry)
      .refine((v) => Object.keys(v).length > 0, 'must have at least one scope')
      .refine((v) => Object.keys(v).length <= FIWARE_LIMITS.scopesPerService, `must have at most ${FIWARE_LIMITS.scopesPerService} scopes`),
    allowUnboundVp: flag(false),
    redirectUris: z.array(httpUrl).min(1).max(FIWARE_LIMITS.redirectUris).optional(),
  })
  .superRefine((s, ctx) => {
    if (!Object.hasOwn(s.oidcScopes, s.defaultOidcScope)) {
      ctx.addIssue({ code: 'custom', path: ['defaultOidcScope'], message: 'must name one of oidcScopes' });
    }
  });

const serviceList = z
  .array(fiwareServiceSchema)
  .max(FIWARE_LIMITS.services)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicates service id ${s.id}` });
      seen.add(s.id);
    });
  });

export type ServiceProblem = { readonly path: string; readonly reason: string };

function problemsOf(error: z.ZodError, prefix: string): ServiceProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${String(s)}`))].join('').replace(/^\./, ''),
    reason: issue.message,
  }));
}

function freeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}

/** One service from JSON (the `/service` API body, or one list entry). */
export function parseFiwareService(input: unknown): { readonly service: FiwareService } | { readonly problems: readonly ServiceProblem[] } {
  const result = fiwareServiceSchema.safeParse(plainFromYaml(input));
  if (!result.success) return { problems: problemsOf(result.error, '') };
  return { service: freeze(result.data as FiwareService) };
}

/** The service list of `verifier.fiware.services`: a YAML list, or JSON text of a list (env var). */
export function parseFiwareServices(input: unknown): { readonly services: readonly FiwareService[] } | { readonly problems: readonly ServiceProblem[] } {
  let value = plainFromYaml(input);
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return { problems: [{ path: '', reason: 'must be a list of services (YAML) or JSON text of that list' }] };
    }
  }
  const result = serviceList.safeParse(value);
  if (!result.success) return { problems: problemsOf(result.error, '') };
  return { services: freeze(result.data as FiwareService[]) };
}

/**
 * The scopes a FIWARE token request names: comma-separated (VCVerifier), each trimmed; a name may
 * contain spaces. Absent or blank ⇒ the service's default scope.
 */
export function requestedFiwareScopes(service: FiwareService, scope: string | undefined): string[] {
  const names = (scope ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return names.length === 0 ? [service.defaultOidcScope] : [...new Set(names)];
}
