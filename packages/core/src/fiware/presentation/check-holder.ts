/**
 * Step 8 — holder binding per credential. `holderVerification.enabled` on a requirement the
 * credential matches: the string at `credentialSubject.<claim>` (a dot path; default `subject`)
 * must equal the presentation holder (spec §7.2). Always: a credential with a top-level
 * `cnf.jwk` must be bound to the key that presented it — the VP signer, or an SD-JWT's KB-JWT key
 * (RFC 7800; VCVerifier checks it for VP JWTs too).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { exportPublicJwk, jwkThumbprint } from '../../jose/keys.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

/** The value at a dot path (`a.b.c`) of an object, or undefined. */
export function atDotPath(root: unknown, path: string): unknown {
  let v: unknown = root;
  for (const part of path.split('.')) {
    if (!isRecord(v) || !Object.hasOwn(v, part)) return undefined;
    v = v[part];
  }
  return v;
}

export const checkFiwareHolder: Step<FiwarePresentationContext> = {
  name: 'fiware-holder',
  run({ state }) {
    const { holder, holderKey } = state;
    if (!holder) return;
    for (const c of state.relevant ?? []) {
      for (const r of c.requirements) {
        if (!r.holderVerification.enabled) continue;
        if (atDotPath(c.object.credentialSubject, r.holderVerification.claim) !== holder) {
          throw new VerifierError('ERR_FIWARE_HOLDER_MISMATCH', `credentialSubject.${r.holderVerification.claim.slice(0, 64)} of a ${r.type.slice(0, 64)} credential does not name the presentation holder`);
        }
      }
      const cnf = c.jws.payload.cnf;
      if (isRecord(cnf) && isRecord(cnf.jwk)) {
        let same = false;
        try {
          const presenter = c.holderKey ?? holderKey;
          same = presenter !== undefined && jwkThumbprint(cnf.jwk) === jwkThumbprint(exportPublicJwk(presenter));
        } catch {
          same = false;
        }
        if (!same) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentation key does not match the credential cnf.jwk');
      }
    }
  },
};
