/**
 * The `dcql_query` of the request object (OpenID4VP 1.0 §6), built from the RP's scope through
 * DCQL profiles as IN2's V3 `DcqlProfileResolverImpl` does (dome-verifier-v3.md §1.5): the OIDC
 * companion scopes are dropped, every other scope must name a profile, and the credential
 * queries of the named profiles are concatenated (a query id named by two profiles is sent once).
 *
 * Unlike IN2, the query is written for both dialects wallets read (dome-wallet-pwa.md §3.1):
 * a `jwt_vc_json` query carries `meta.credential_definition.type` (all the EUDIStack PWA reads)
 * and the OpenID4VP 1.0 `meta.type_values`; and a `credential_sets` entry offers every query as
 * one option, so any one credential satisfies the request (without it, OpenID4VP 1.0 requires
 * all of them). The deployed DOME wallet ignores `dcql_query` and selects by `scope`.
 *
 * The query ids sent are a function of the login's scope and the profiles (`dcqlQueryIds`), so
 * an answer's `vp_token` map key can be checked against them without storing the query.
 */
import { VerifierError } from '../../errors/verifier-error.ts';

export type DcqlFormat = 'jwt_vc_json' | 'dc+sd-jwt';

/** One credential query of a profile, as configured (IN2's `credentials[]` shape). */
export interface DcqlCredentialQuery {
  readonly id: string;
  readonly format: DcqlFormat;
  readonly meta: {
    /** `jwt_vc_json`: every listed type must be in the credential's `type` (what the PWA reads). */
    readonly credential_definition?: { readonly type: readonly string[] };
    /** `jwt_vc_json`, OpenID4VP 1.0 §B.1.1: alternatives, each a list of types the credential must all have. */
    readonly type_values?: readonly (readonly string[])[];
    /** `dc+sd-jwt`: the credential's `vct` must be one of these. */
    readonly vct_values?: readonly string[];
  };
}

/** Scope name → the credential queries that scope asks for. */
export type DcqlProfiles = Readonly<Record<string, readonly DcqlCredentialQuery[]>>;

export interface DcqlQuery {
  readonly credentials: readonly DcqlCredentialQuery[];
  readonly credential_sets: readonly { readonly options: readonly (readonly string[])[]; readonly required: boolean }[];
}

/** Stable query ids of the default profiles (documented in docs/compatibility.md). */
export const DCQL_QUERY_IDS = {
  employeeJwtVc: 'lear_employee_jwt_vc',
  employeeSdJwt: 'lear_employee_sd_jwt',
  machineJwtVc: 'lear_machine_jwt_vc',
  machineSdJwt: 'lear_machine_sd_jwt',
} as const;

const W3C_EMPLOYEE = ['VerifiableCredential', 'learcredential.employee.w3c.4'];
const W3C_MACHINE = ['VerifiableCredential', 'learcredential.machine.w3c.3'];

const EMPLOYEE: readonly DcqlCredentialQuery[] = [
  { id: DCQL_QUERY_IDS.employeeJwtVc, format: 'jwt_vc_json', meta: { credential_definition: { type: W3C_EMPLOYEE }, type_values: [W3C_EMPLOYEE] } },
  // DOME's issuer emits `learcredential.employee.sd.1`; IN2's V3 asks for `eu.europa.ec.eudi.lce.1`.
  { id: DCQL_QUERY_IDS.employeeSdJwt, format: 'dc+sd-jwt', meta: { vct_values: ['learcredential.employee.sd.1', 'eu.europa.ec.eudi.lce.1'] } },
];
const MACHINE: readonly DcqlCredentialQuery[] = [
  { id: DCQL_QUERY_IDS.machineJwtVc, format: 'jwt_vc_json', meta: { credential_definition: { type: W3C_MACHINE }, type_values: [W3C_MACHINE] } },
  { id: DCQL_QUERY_IDS.machineSdJwt, format: 'dc+sd-jwt', meta: { vct_values: ['learcredential.machine.sd.1', 'eu.europa.ec.eudi.lcm.1'] } },
];

/** IN2 V3.0.0's three profiles, with both dialects and DOME's SD-JWT `vct` added. */
export const DEFAULT_DCQL_PROFILES: DcqlProfiles = {
  learcredential: EMPLOYEE,
  'learcredential.employee': EMPLOYEE,
  'learcredential.machine': MACHINE,
};

/** OIDC scopes that may accompany the credential scope and select no profile. */
export const COMPANION_SCOPES: ReadonlySet<string> = new Set(['openid', 'profile', 'email', 'offline_access']);

/** DOME's Trusted Services List spells `learcredential` this way; it selects the same profile. */
export const SCOPE_ALIASES: Readonly<Record<string, string>> = { openid_learcredential: 'learcredential' };

/**
 * The profile names `scope` selects, in order, without repeats. Throws ERR_AUTHZ_SCOPE when no
 * profile is named or a scope is neither a companion nor a profile (no partial acceptance).
 */
export function selectDcqlProfiles(profiles: DcqlProfiles, scope: string | undefined): string[] {
  const available = Object.keys(profiles);
  const names: string[] = [];
  for (const s of (scope ?? '').split(' ').filter(Boolean)) {
    if (COMPANION_SCOPES.has(s)) continue;
    const name = SCOPE_ALIASES[s] ?? s;
    if (!Object.hasOwn(profiles, name)) {
      throw new VerifierError('ERR_AUTHZ_SCOPE', `unsupported scope: only ${available.join(', ')} with openid, profile, email and offline_access are supported`);
    }
    if (!names.includes(name)) names.push(name);
  }
  if (names.length === 0) throw new VerifierError('ERR_AUTHZ_SCOPE', `the requested scope names no credential (one of ${available.join(', ')})`);
  return names;
}

/** The `dcql_query` for a login with this scope (throws as `selectDcqlProfiles`). */
export function dcqlQueryForScope(profiles: DcqlProfiles, scope: string | undefined): DcqlQuery {
  const credentials: DcqlCredentialQuery[] = [];
  for (const name of selectDcqlProfiles(profiles, scope)) {
    for (const q of profiles[name]!) if (!credentials.some((c) => c.id === q.id)) credentials.push(q);
  }
  return { credentials, credential_sets: [{ options: credentials.map((c) => [c.id]), required: true }] };
}

/** The credential query ids a login with this scope was sent — the keys a `vp_token` map may use. */
export function dcqlQueryIds(profiles: DcqlProfiles, scope: string | undefined): string[] {
  return dcqlQueryForScope(profiles, scope).credentials.map((c) => c.id);
}

/** `client_metadata.vp_formats_supported` (OpenID4VP 1.0 §11.1), as IN2's V3 PR #5 sends it. */
export const VP_FORMATS_SUPPORTED = {
  jwt_vc_json: { alg_values: ['ES256'] },
  'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] },
} as const;

const QUERY_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SCOPE_NAME = /^[\x21-\x7e]{1,128}$/;
const MAX_PROFILES = 32;
const MAX_QUERIES = 8;
const MAX_VALUES = 16;

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.length <= MAX_VALUES && v.every((s) => typeof s === 'string' && s !== '' && s.length <= 256);

/**
 * Checks configured profiles (parsed JSON) and returns them normalised, or a problem (no
 * values quoted). Every `jwt_vc_json` query needs `credential_definition.type` and every
 * `dc+sd-jwt` query `vct_values` — without them the PWA offers every credential it holds;
 * `type_values` is derived from `credential_definition.type` when absent. A query id may
 * appear in several profiles only with the same query.
 */
export function parseDcqlProfiles(value: unknown): { profiles: DcqlProfiles } | { problem: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'must be a JSON object of scope → credential queries' };
  const entries = Object.entries(value);
  if (entries.length === 0 || entries.length > MAX_PROFILES) return { problem: `must name 1 to ${MAX_PROFILES} scopes` };
  const byId = new Map<string, string>();
  const profiles: Record<string, DcqlCredentialQuery[]> = {};
  for (const [scope, list] of entries) {
    if (!SCOPE_NAME.test(scope) || COMPANION_SCOPES.has(scope) || Object.hasOwn(SCOPE_ALIASES, scope)) return { problem: 'has a scope name that is not a printable token or is reserved (openid, profile, email, offline_access, openid_learcredential)' };
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_QUERIES) return { problem: `scope ${scope}: must be a list of 1 to ${MAX_QUERIES} credential queries` };
    const queries: DcqlCredentialQuery[] = [];
    for (const q of list as unknown[]) {
      const parsed = parseQuery(q);
      if (typeof parsed === 'string') return { problem: `scope ${scope}: ${parsed}` };
      const seen = byId.get(parsed.id);
      const text = JSON.stringify(parsed);
      if (seen !== undefined && seen !== text) return { problem: `query id ${parsed.id} names different queries in two profiles` };
      if (queries.some((x) => x.id === parsed.id)) return { problem: `scope ${scope}: query id ${parsed.id} repeated` };
      byId.set(parsed.id, text);
      queries.push(parsed);
    }
    profiles[scope] = queries;
  }
  return { profiles };
}

function parseQuery(q: unknown): DcqlCredentialQuery | string {
  if (typeof q !== 'object' || q === null) return 'a credential query must be an object';
  const { id, format, meta } = q as Record<string, unknown>;
  if (typeof id !== 'string' || !QUERY_ID.test(id)) return 'a credential query id must be 1 to 64 of A-Z a-z 0-9 _ -';
  if (typeof meta !== 'object' || meta === null) return `query ${id}: meta is required`;
  const m = meta as Record<string, unknown>;
  if (format === 'jwt_vc_json') {
    const type = (m.credential_definition as { type?: unknown } | undefined)?.type;
    if (!isStringList(type)) return `query ${id}: jwt_vc_json needs meta.credential_definition.type (a list of types)`;
    const typeValues = m.type_values ?? [type];
    if (!Array.isArray(typeValues) || typeValues.length === 0 || !typeValues.every(isStringList)) return `query ${id}: meta.type_values must be a list of type lists`;
    return { id, format, meta: { credential_definition: { type: [...type] }, type_values: typeValues.map((t: string[]) => [...t]) } };
  }
  if (format === 'dc+sd-jwt') {
    if (!isStringList(m.vct_values)) return `query ${id}: dc+sd-jwt needs meta.vct_values (a list of vct)`;
    return { id, format, meta: { vct_values: [...m.vct_values] } };
  }
  return `query ${id}: format must be jwt_vc_json or dc+sd-jwt`;
}
