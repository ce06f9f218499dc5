/**
 * The DCQL credential queries a login's request object sent — the input the `vp_token` decoder
 * checks an answer against (a map key must name one of them, and the presentation under it must
 * satisfy it). The shape is the `credentials[]` entry of a `dcql_query` (OpenID4VP 1.0 §6.1), so
 * the request side's query objects can be passed as they are.
 *
 * `DEFAULT_SENT_QUERIES` are the queries the default `learcredential` DCQL profile sends
 * (dcql.ts): the fallback when `WalletResponseDeps.sentQueries` is not given; the runtime derives
 * each login's queries from its trust framework's profiles and the login's scope.
 */
import { DEFAULT_DCQL_PROFILES, dcqlQueryForScope } from './dcql.ts';

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

/** The queries of the default profile `learcredential` (= `learcredential.employee`). */
export const DEFAULT_SENT_QUERIES: readonly SentCredentialQuery[] = Object.freeze(dcqlQueryForScope(DEFAULT_DCQL_PROFILES, 'learcredential').credentials);

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
