/**
 * The DCQL credential queries a login's request object sent — the input the `vp_token` decoder
 * checks an answer against (a map key must name one of them, and the presentation under it must
 * satisfy it). The shape is the `credentials[]` entry of a `dcql_query` (OpenID4VP 1.0 §6.1), so
 * the request side's query objects can be passed as they are.
 *
 * `DEFAULT_SENT_QUERIES` are the employee queries of the default DCQL profile (ids and `meta` as
 * IN2's V3 `learcredential.employee` profile, with DOME's SD-JWT `vct` added): what the wallet
 * leg checks against until the request object's queries are derived per login (the request side
 * owns that; `WalletResponseDeps.sentQueries`).
 */

export type SentQueryFormat = 'jwt_vc_json' | 'dc+sd-jwt';

export interface SentCredentialQuery {
  readonly id: string;
  readonly format: SentQueryFormat;
  readonly meta?: {
    /** `jwt_vc_json`: every listed type must be in the credential's `type` (what the PWA reads). */
    readonly credential_definition?: { readonly type?: readonly string[] };
    /** `jwt_vc_json`, OpenID4VP 1.0 §B.1.1: alternatives, each a list of types the credential must all have. */
    readonly type_values?: readonly (readonly string[])[];
    /** `dc+sd-jwt`: the credential's `vct` must be one of these. */
    readonly vct_values?: readonly string[];
  };
}

const W3C_EMPLOYEE = ['VerifiableCredential', 'learcredential.employee.w3c.4'] as const;

/** The employee queries of the default profile (`learcredential`, `learcredential.employee`). */
export const DEFAULT_SENT_QUERIES: readonly SentCredentialQuery[] = Object.freeze([
  { id: 'lear_employee_jwt_vc', format: 'jwt_vc_json', meta: { credential_definition: { type: W3C_EMPLOYEE }, type_values: [W3C_EMPLOYEE] } },
  { id: 'lear_employee_sd_jwt', format: 'dc+sd-jwt', meta: { vct_values: ['learcredential.employee.sd.1', 'eu.europa.ec.eudi.lce.1'] } },
]);

/** Whether a JWT VC with these `type` values satisfies a `jwt_vc_json` query's type constraints. */
export function typesSatisfy(query: SentCredentialQuery, types: readonly string[]): boolean {
  const all = query.meta?.credential_definition?.type;
  if (all && !all.every((t) => types.includes(t))) return false;
  const alternatives = query.meta?.type_values;
  if (alternatives && alternatives.length > 0 && !alternatives.some((alt) => alt.every((t) => types.includes(t)))) return false;
  return true;
}

/** Whether an SD-JWT VC with this `vct` satisfies a `dc+sd-jwt` query. */
export function vctSatisfies(query: SentCredentialQuery, vct: string | undefined): boolean {
  const values = query.meta?.vct_values;
  return !values || (vct !== undefined && values.includes(vct));
}
