/**
 * Assembles the FIWARE endpoint's dependencies from the DOME token endpoint's (same clock,
 * store, signer, token policy, x5c trust anchors, revocation and status-list checkers, step
 * metrics), the service registry, and one Trusted Issuers List client per configured list URL
 * (`<url>/v4/issuers/<did>`, cached as the DOME TIL is). Holder and issuer DIDs: did:key (P-256)
 * until a DID method registry is passed.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import type { Fetcher } from '../../ports/fetcher.ts';
import type { TokenEndpointDeps } from '../../oauth/token/context.ts';
import { createTrustedIssuersRegistry, type TrustedIssuersRegistry } from '../../trust/trusted-issuers.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';
import type { DidKeyResolver, FiwareDeps } from './context.ts';

/** did:key holders and issuers (P-256, the DSC's did-helper keys); other methods are refused. */
export const didKeyOnlyResolver: DidKeyResolver = async (didUrl) => {
  const did = didUrl.split('#')[0]!;
  if (!did.startsWith('did:key:')) throw new VerifierError('ERR_HOLDER_BINDING', `DID method ${did.split(':')[1]?.slice(0, 16) ?? ''} is not supported`);
  try {
    return { did, key: publicKeyOfDidKey(did) };
  } catch {
    throw new VerifierError('ERR_HOLDER_BINDING', 'the did:key is not a valid P-256 did:key');
  }
};

/** Lists are configuration (bounded); this cap only guards against a registry that changes a lot. */
const MAX_TIL_CLIENTS = 256;

export interface FiwareDepsOptions {
  tokenDeps: TokenEndpointDeps;
  services: FiwareServiceRegistry;
  fetch: Fetcher;
  trustedIssuersTtlMs: number;
  resolveDidKey?: DidKeyResolver;
  timeoutMs?: number;
}

export function createFiwareDeps(o: FiwareDepsOptions): FiwareDeps {
  const { tokenDeps } = o;
  const tils = new Map<string, TrustedIssuersRegistry>();
  const now = () => tokenDeps.clock.now();
  const tilFor = (url: string): TrustedIssuersRegistry => {
    let r = tils.get(url);
    if (!r) {
      r = createTrustedIssuersRegistry({ baseUrl: `${url.replace(/\/+$/, '')}/v4/issuers/`, fetch: o.fetch, ttlMs: o.trustedIssuersTtlMs, now, ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
      if (tils.size >= MAX_TIL_CLIENTS) tils.delete(tils.keys().next().value!);
      tils.set(url, r);
    }
    return r;
  };
  return {
    clock: tokenDeps.clock,
    store: tokenDeps.store,
    presentationPolicy: tokenDeps.presentationPolicy,
    tokenPolicy: tokenDeps.tokenPolicy,
    signer: tokenDeps.signer,
    issuers: tokenDeps.issuers,
    revocation: tokenDeps.revocation,
    statusLists: tokenDeps.statusLists,
    ...(tokenDeps.tokenStatusLists ? { tokenStatusLists: tokenDeps.tokenStatusLists } : {}),
    ...(tokenDeps.formats ? { formats: tokenDeps.formats } : {}),
    x5c: tokenDeps.x5c,
    services: o.services,
    resolveDidKey: o.resolveDidKey ?? didKeyOnlyResolver,
    trustedIssuersList: tilFor,
    ...(tokenDeps.onStepFailure ? { onStepFailure: tokenDeps.onStepFailure } : {}),
  };
}
