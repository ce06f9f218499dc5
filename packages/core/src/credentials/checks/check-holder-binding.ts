/**
 * Step 5 — holder binding (dome-verifier-wire.md §4.5, V2 rules, tightened):
 * the VP is signed by the holder's key — a DID from header `kid` / `iss` / `sub` (all that
 * are present must agree): did:key decoded here (P-256, ES256), did:jwk / did:web through the
 * DID resolver (`deps.dids`; the kid selects the verification method; ES256/ES384/EdDSA) — or
 * an embedded header `jwk` (the IN2 Java client dialect) — and that
 * holder is the one the credential is bound to: `credentialSubject.id` → VC `sub` →
 * `mandatee.id`, and the `cnf.jwk` thumbprint when the credential carries one. When the flow
 * names a presenter (M2M: the authenticated client_id), the holder must be that presenter.
 */
import type { KeyObject } from 'node:crypto';
import { isDidKey, jwkToDidKey, stripFragment } from '@dome-verifier/did-key';
import { verifyJws, type JwsAlg } from '../../jose/jws.ts';
import { createDidResolver } from '../../did/resolver.ts';
import { importPublicJwk, jwkThumbprint, exportPublicJwk } from '../../jose/keys.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';
import { boundDid, type LearCredential } from '../lear-credential.ts';

const asDid = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('did:') ? stripFragment(v) : undefined);
const binding = (msg: string) => new VerifierError('ERR_HOLDER_BINDING', msg);

/** Algorithms of VPs signed by a resolved (did:jwk / did:web) holder key; a did:key holder signs ES256. */
export const RESOLVED_HOLDER_ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;
const OFFLINE_DIDS = createDidResolver();

export const checkHolderBinding: Step<PresentationContext> = {
  name: 'holder-binding',
  // Synchronous for did:key and header-jwk holders (the DOME paths); a promise only when a DID must be resolved.
  run(ctx): void | Promise<void> {
    const { vp, vc, credential } = ctx.state;
    if (!vp || !vc || !credential) return undefined;
    const named = [asDid(vp.header.kid), asDid(vp.payload.iss), asDid(vp.payload.sub)].filter((d): d is string => d !== undefined);
    let signerDid = named[0];
    if (named.some((d) => d !== signerDid)) throw binding('the presentation names two different holders (kid, iss, sub)');

    let key: KeyObject;
    if (vp.header.jwk !== undefined) {
      try {
        key = importPublicJwk(vp.header.jwk);
      } catch {
        throw new VerifierError('ERR_VP_MALFORMED', 'the presentation header jwk is not a public key');
      }
      let jwkDid: string | undefined;
      try {
        jwkDid = jwkToDidKey(vp.header.jwk as Record<string, unknown>);
      } catch {
        jwkDid = undefined;
      }
      if (signerDid !== undefined && jwkDid !== signerDid) throw binding('the presentation header jwk is not the key of the named holder');
      // The PWA sends kid = the RFC 7638 thumbprint of jwk (dome-wallet-pwa.md §4.4): a kid that
      // is not a DID must be exactly that.
      const kid = vp.header.kid;
      if (typeof kid === 'string' && !kid.startsWith('did:') && kid !== thumbprintOf(vp.header.jwk)) {
        throw binding('the presentation header kid is not the JWK thumbprint of its jwk');
      }
      signerDid ??= jwkDid;
    } else if (signerDid !== undefined && isDidKey(signerDid)) {
      try {
        key = publicKeyOfDidKey(signerDid);
      } catch {
        throw binding('the holder did:key is not a valid P-256 did:key');
      }
    } else if (signerDid !== undefined) {
      // did:jwk, did:web, …: the resolver finds the key the kid names (or the DID's only key)
      const holder = signerDid;
      const kid = vp.header.kid;
      const didUrl = typeof kid === 'string' && kid.startsWith('did:') ? kid : typeof kid === 'string' && kid.length > 0 ? `${holder}#${kid.replace(/^#/, '')}` : holder;
      return (ctx.deps.dids ?? OFFLINE_DIDS).resolveKey(didUrl).then((resolved) => bindHolder(ctx, resolved.key, holder, RESOLVED_HOLDER_ALGORITHMS));
    } else {
      throw binding('the presentation does not identify its holder (kid, iss, sub or jwk)');
    }
    bindHolder(ctx, key, signerDid, ['ES256']);
    return undefined;
  },
};

/** The VP verifies with the holder key, the credential is bound to that holder, the holder is the presenter. */
function bindHolder({ input, state }: PresentationContext, key: KeyObject, signerDid: string | undefined, algorithms: readonly JwsAlg[]): void {
  const { vp, vc, credential } = state;
  try {
    verifyJws(vp!, key, { algorithms });
  } catch {
    throw new VerifierError('ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
  }
  assertCredentialHolder(credential!, vc!.payload, key, signerDid);
  if (input.presenter !== undefined && signerDid !== input.presenter) {
    throw new VerifierError('ERR_PRESENTER_NOT_CLIENT', 'the presentation holder is not the authenticated client');
  }
  state.holderDid = signerDid;
  state.holderKey = key;
}

function thumbprintOf(jwk: unknown): string | undefined {
  try {
    return isRecord(jwk) ? jwkThumbprint(jwk) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The credential is bound to the holder whose `key` signed the presentation (the VP JWT, or the
 * KB-JWT of an SD-JWT VC), held by `signerDid`: VCDM 2.0 / SD-JWT VCs name the holder in
 * `mandate.mandatee.id` (a root `sub` must name the same one), legacy ones in
 * `credentialSubject.id` → `sub` → `mandatee.id`; a DID found there must be the signer's, and a
 * `cnf.jwk` must be the signing key. `payload` is the credential JWT's (root `sub`, `cnf`).
 */
export function assertCredentialHolder(credential: LearCredential, payload: Record<string, unknown>, key: KeyObject, signerDid: string | undefined): void {
  if (credential.family === 'bumped' && payload.sub !== undefined && payload.sub !== credential.mandatee.id) {
    throw binding('the credential sub names another holder than mandate.mandatee.id');
  }
  const bound = boundDid(credential, payload.sub);
  const cnf = isRecord(payload.cnf) && isRecord(payload.cnf.jwk) ? payload.cnf.jwk : undefined;
  if (!bound && !cnf) throw binding('the credential is not bound to a holder (no subject DID, no cnf.jwk)');
  if (bound !== undefined && bound !== signerDid) throw binding('the presentation was signed by another key than the credential holder');
  if (cnf) {
    let same = false;
    try {
      same = jwkThumbprint(cnf) === jwkThumbprint(exportPublicJwk(key));
    } catch {
      same = false;
    }
    if (!same) throw binding('the presentation key does not match the credential cnf.jwk');
  }
}
