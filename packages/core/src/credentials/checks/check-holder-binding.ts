/**
 * Step 5 — holder binding (dome-verifier-wire.md §4.5, V2 rules, tightened):
 * the VP is signed by the holder's key — did:key from header `kid` / `iss` / `sub` (all that
 * are present must agree), or an embedded header `jwk` (the IN2 Java client dialect) — and that
 * holder is the one the credential is bound to: `credentialSubject.id` → VC `sub` →
 * `mandatee.id`, and the `cnf.jwk` thumbprint when the credential carries one. When the flow
 * names a presenter (M2M: the authenticated client_id), the holder must be that presenter.
 */
import type { KeyObject } from 'node:crypto';
import { isDidKey, jwkToDidKey, stripFragment } from '@dome-verifier/did-key';
import { verifyJws } from '../../jose/jws.ts';
import { importPublicJwk, jwkThumbprint, exportPublicJwk } from '../../jose/keys.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';
import { boundDid } from '../lear-credential.ts';

const asDid = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('did:') ? stripFragment(v) : undefined);
const binding = (msg: string) => new VerifierError('ERR_HOLDER_BINDING', msg);

export const checkHolderBinding: Step<PresentationContext> = {
  name: 'holder-binding',
  run({ input, state }) {
    const { vp, vc, credential } = state;
    if (!vp || !vc || !credential) return;
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
      signerDid ??= jwkDid;
    } else if (signerDid !== undefined) {
      if (!isDidKey(signerDid)) throw binding('only did:key holders are supported');
      try {
        key = publicKeyOfDidKey(signerDid);
      } catch {
        throw binding('the holder did:key is not a valid P-256 did:key');
      }
    } else {
      throw binding('the presentation does not identify its holder (kid, iss, sub or jwk)');
    }

    try {
      verifyJws(vp, key, { algorithms: ['ES256'] });
    } catch {
      throw new VerifierError('ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
    }

    // VCDM 2.0 / SD-JWT: the holder is mandate.mandatee.id; a root `sub` must name the same one.
    if (credential.family === 'bumped' && vc.payload.sub !== undefined && vc.payload.sub !== credential.mandatee.id) {
      throw binding('the credential sub names another holder than mandate.mandatee.id');
    }
    const bound = boundDid(credential, vc.payload.sub);
    const cnf = isRecord(vc.payload.cnf) && isRecord(vc.payload.cnf.jwk) ? vc.payload.cnf.jwk : undefined;
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
    if (input.presenter !== undefined && signerDid !== input.presenter) {
      throw new VerifierError('ERR_PRESENTER_NOT_CLIENT', 'the presentation holder is not the authenticated client');
    }
    state.holderDid = signerDid;
    state.holderKey = key;
  },
};
