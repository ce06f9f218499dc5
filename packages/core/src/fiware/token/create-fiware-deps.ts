/**
 * Assembles the FIWARE endpoint's dependencies from the DOME token endpoint's (same clock,
 * store, signer, token policy, x5c trust anchors, revocation and status-list checkers, step
 * metrics), the service registry, the FIWARE trust lists (EBSI `<url>/v4/issuers/<did>` with the v3
 * fallback, Gaia-X; trust/ebsi-registry.ts), and the DID method
 * registry of the DOME endpoint (`tokenDeps.dids`: did:key, did:jwk, did:web) for holder and
 * issuer keys.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import type { TokenEndpointDeps } from '../../oauth/token/context.ts';
import { createDidResolver } from '../../did/resolver.ts';
import type { TrustRegistries } from '../../trust/ebsi-registry.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';
import type { DidKeyResolver, FiwareDeps } from './context.ts';

/** did:key holders and issuers only (P-256, the DSC's did-helper keys): tests of the pipeline without a registry. */
export const didKeyOnlyResolver: DidKeyResolver = async (didUrl) => {
  const did = didUrl.split('#')[0]!;
  if (!did.startsWith('did:key:')) throw new VerifierError('ERR_DID_UNSUPPORTED_METHOD', `DID method ${did.split(':')[1]?.slice(0, 16) ?? ''} is not supported`);
  try {
    return { did, key: publicKeyOfDidKey(did) };
  } catch {
    throw new VerifierError('ERR_DID_INVALID', 'the did:key is not a valid P-256 did:key');
  }
};

export interface FiwareDepsOptions {
  tokenDeps: TokenEndpointDeps;
  services: FiwareServiceRegistry;
  /** The FIWARE trust lists (runtime.trustRegistries: EBSI TIL/TIR v4 → v3, Gaia-X). */
  trust: TrustRegistries;
}

export function createFiwareDeps(o: FiwareDepsOptions): FiwareDeps {
  const { tokenDeps } = o;
  const now = () => tokenDeps.clock.now();
  const dids = tokenDeps.dids ?? createDidResolver({ now });
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
    dids,
    services: o.services,
    resolveDidKey: (didUrl) => dids.resolveKey(didUrl),
    trust: o.trust,
    ...(tokenDeps.onStepFailure ? { onStepFailure: tokenDeps.onStepFailure } : {}),
  };
}
