/**
 * Step 2b — the EUDISTACK-145 dual-read gate (dome-verifier-v3.md §7) and the VCDM 2.0 envelope.
 * The family comes from the type name alone (lear-credential.ts `classify`); the trust framework
 * may close either: legacy → 410 `legacy_format_sunset_closed`, bumped → 503
 * `bumped_format_temporarily_disabled` (both problem+json, as IN2 answers). A bumped JWT VC must
 * be what the EUDIStack issuer emits (dome-wallet-pwa.md §6.2): claims at the JWT root (no `vc`
 * claim), JWS `typ` `vc+jwt`, the VCDM 2.0 `@context` first, and a `cnf.jwk` holder key.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const VCDM2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
const envelope = (what: string) => new VerifierError('ERR_VC_ENVELOPE', `the VCDM 2.0 credential ${what}`);

export const checkCredentialFormat: Step<PresentationContext> = {
  name: 'credential-format',
  run({ deps, state }) {
    const { credential: c, vc } = state;
    if (!c || !vc) return;
    if (c.family === 'legacy' && deps.formats?.legacy === false) {
      throw new VerifierError('ERR_FORMAT_LEGACY_CLOSED', `legacy credential format ${c.credentialType} is no longer accepted (sunset window closed)`);
    }
    if (c.family === 'bumped' && deps.formats?.bumped === false) {
      throw new VerifierError('ERR_FORMAT_BUMPED_DISABLED', `credential format ${c.credentialType} is temporarily disabled`);
    }
    // The SD-JWT envelope (typ dc+sd-jwt, cnf.jwk) was checked by the SD-JWT steps.
    if (c.family !== 'bumped' || state.sdJwt) return;
    if (vc.payload.vc !== undefined) throw envelope('must carry its claims at the JWT root, not in a vc claim');
    if (vc.header.typ !== 'vc+jwt') throw envelope('JWS typ must be vc+jwt');
    const ctx = vc.payload['@context'];
    if (!Array.isArray(ctx) || ctx[0] !== VCDM2_CONTEXT) throw envelope(`@context must begin with ${VCDM2_CONTEXT}`);
    if (!isRecord(vc.payload.cnf) || !isRecord(vc.payload.cnf.jwk)) throw envelope('has no cnf.jwk holder key');
  },
};
