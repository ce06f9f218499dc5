/**
 * Step 1 — parse the VP JWT and its first credential (shape only, no crypto, no I/O).
 * `vp.verifiableCredential` must be a non-empty array whose first element is a compact JWT
 * (IN2 §4.1 row 1); the VC payload carries the credential in `vc` (VCDM 1.1) or at the root
 * (VCDM 2.0 as the EUDIStack issuer emits it).
 */
import { decodeJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const MAX_VP_LENGTH = 48 * 1024;
export const MAX_VC_LENGTH = 32 * 1024;

const malformed = (code: 'ERR_VP_MALFORMED' | 'ERR_VC_MALFORMED', what: string, e?: unknown) =>
  new VerifierError(code, `${what}${e instanceof JoseError ? `: ${e.message}` : ''}`, e ? { cause: e } : undefined);

export const parsePresentation: Step<PresentationContext> = {
  name: 'parse-presentation',
  run({ input, deps, state }) {
    if (input.vpJwt === undefined) throw malformed('ERR_VP_MALFORMED', 'no VP JWT was presented');
    try {
      state.vp = decodeJws(input.vpJwt, { maxLength: MAX_VP_LENGTH });
    } catch (e) {
      throw malformed('ERR_VP_MALFORMED', 'the presentation is not a valid JWT', e);
    }
    const vp = state.vp.payload.vp;
    if (!isRecord(vp)) throw malformed('ERR_VP_MALFORMED', 'the presentation has no vp object');
    const creds = vp.verifiableCredential;
    if (!Array.isArray(creds) || creds.length === 0) throw malformed('ERR_VP_MALFORMED', 'vp.verifiableCredential must be a non-empty array');
    if (typeof creds[0] !== 'string') throw malformed('ERR_VP_MALFORMED', 'the first credential of the presentation must be a compact JWT');
    const cached = deps.credentials?.get(creds[0]);
    if (cached) {
      state.vc = cached.jws;
      state.vcCache = cached;
      return;
    }
    try {
      state.vc = decodeJws(creds[0], { maxLength: MAX_VC_LENGTH, maxHeaderLength: 24 * 1024 });
    } catch (e) {
      throw malformed('ERR_VC_MALFORMED', 'the credential is not a valid JWT', e);
    }
    if (deps.credentials) {
      state.vcCache = { jws: state.vc };
      deps.credentials.set(creds[0], state.vcCache);
    }
  },
};

/** The credential object of a VC-JWT payload: claim `vc`, else the payload itself (VCDM 2.0). */
export function credentialObject(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if (isRecord(payload.vc)) return payload.vc;
  if ('credentialSubject' in payload && 'type' in payload) return payload;
  return undefined;
}
