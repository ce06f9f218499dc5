/**
 * Step 1 — decode every VP JWT and its credentials (shape only, no crypto, no I/O; spec §3
 * shapes b/c2). The holder is `vp.holder` when it is a string, else the VP `iss` (VCVerifier
 * crashes without a string `vp.holder`; row 18 of its checklist). Each `vp.verifiableCredential`
 * item must be a compact JWT VC: JSON-LD credential objects and SD-JWTs inside a VP carry no proof
 * this verifier checks, and an unverifiable credential is never accepted. A bare SD-JWT VC must
 * end with a KB-JWT; it is verified by the next step. All presentations of a
 * DCQL map must name one holder. Caps: 8 presentations, 16 credentials.
 */
import { decodeJws } from '../../jose/jws.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import { MAX_VC_LENGTH, MAX_VP_LENGTH, credentialObject } from '../../credentials/checks/parse-presentation.ts';
import type { FiwareCredential, FiwarePresentationContext, PendingSdJwt } from './context.ts';

export const MAX_FIWARE_CREDENTIALS = 16;

const malformed = (code: 'ERR_VP_MALFORMED' | 'ERR_VC_MALFORMED', what: string) => new VerifierError(code, what);
const unverifiable = (what: string) => new VerifierError('ERR_FIWARE_PRESENTATION_UNVERIFIABLE', what);

/** The issuer of a credential: `iss`, else `issuer` (string or `{id}`); both present must agree. */
function issuerOf(payload: Record<string, unknown>, object: Record<string, unknown>): string {
  const iss = typeof payload.iss === 'string' ? payload.iss : undefined;
  const raw = object.issuer;
  const named = typeof raw === 'string' ? raw : isRecord(raw) && typeof raw.id === 'string' ? raw.id : undefined;
  if (iss !== undefined && named !== undefined && iss !== named) throw malformed('ERR_VC_MALFORMED', 'the credential JWT iss differs from its issuer');
  const issuer = iss ?? named;
  if (!issuer) throw malformed('ERR_VC_MALFORMED', 'the credential names no issuer');
  return issuer;
}

function typesOf(object: Record<string, unknown>): string[] {
  const t = object.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

export function parseCredentialJwt(compact: string): FiwareCredential {
  let jws;
  try {
    jws = decodeJws(compact, { maxLength: MAX_VC_LENGTH, maxHeaderLength: 24 * 1024 });
  } catch {
    throw malformed('ERR_VC_MALFORMED', 'a credential is not a valid JWT');
  }
  const object = credentialObject(jws.payload);
  if (!object) throw malformed('ERR_VC_MALFORMED', 'a credential JWT has no vc claim');
  return { format: 'jwt_vc', jws, compact, object, issuer: issuerOf(jws.payload, object), types: typesOf(object), requirements: [] };
}

/** A bare SD-JWT: its KB-JWT is required; its aud and nonce are read here and verified by `fiware-sd-jwt`. */
function pendingSdJwt(presentation: string): PendingSdJwt {
  const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
  if (kb === '') throw new VerifierError('ERR_SD_JWT_KB_MISSING', 'the SD-JWT presentation carries no Key Binding JWT (it is required)');
  let payload;
  try {
    payload = decodeJws(kb, { maxLength: 8 * 1024 }).payload;
  } catch {
    throw new VerifierError('ERR_SD_JWT_KB_INVALID', 'the Key Binding JWT is not a valid JWT');
  }
  if (typeof payload.aud !== 'string' || payload.aud === '') throw new VerifierError('ERR_SD_JWT_KB_AUDIENCE', 'the Key Binding JWT has no aud');
  if (typeof payload.nonce !== 'string' || payload.nonce === '' || payload.nonce.length > 256) throw new VerifierError('ERR_SD_JWT_KB_NONCE', 'the Key Binding JWT has no nonce of 1–256 characters');
  return { presentation, aud: payload.aud, nonce: payload.nonce };
}

export const parseFiwarePresentations: Step<FiwarePresentationContext> = {
  name: 'fiware-parse-presentations',
  run({ input, state }) {
    if (input.presentations.length === 0 || input.presentations.length > 8) throw malformed('ERR_VP_MALFORMED', 'vp_token must carry 1–8 presentations');
    state.vps = [];
    state.credentials = [];
    for (const p of input.presentations) {
      if (p.kind === 'sd-jwt') {
        state.sdJwts = [...(state.sdJwts ?? []), pendingSdJwt(p.sdJwt)];
        if (state.sdJwts.length + state.credentials.length > MAX_FIWARE_CREDENTIALS) throw malformed('ERR_VP_MALFORMED', `at most ${MAX_FIWARE_CREDENTIALS} credentials may be presented`);
        continue;
      }
      let vp;
      try {
        vp = decodeJws(p.jwt, { maxLength: MAX_VP_LENGTH });
      } catch {
        throw malformed('ERR_VP_MALFORMED', 'the presentation is not a valid JWT');
      }
      const body = vp.payload.vp;
      if (!isRecord(body)) throw malformed('ERR_VP_MALFORMED', 'the presentation has no vp object');
      const holder = typeof body.holder === 'string' && body.holder !== '' ? body.holder : typeof vp.payload.iss === 'string' && vp.payload.iss !== '' ? vp.payload.iss : undefined;
      if (!holder) throw malformed('ERR_VP_MALFORMED', 'the presentation names no holder (vp.holder or iss)');
      if (state.holder !== undefined && state.holder !== holder) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentations name different holders');
      state.holder = holder;
      const creds = body.verifiableCredential;
      if (!Array.isArray(creds) || creds.length === 0) throw malformed('ERR_VP_MALFORMED', 'vp.verifiableCredential must be a non-empty array');
      for (const c of creds) {
        if (isRecord(c)) throw unverifiable('JSON-LD credential objects are not accepted: their proofs cannot be verified here; present JWT VCs');
        if (typeof c !== 'string') throw malformed('ERR_VC_MALFORMED', 'a credential is neither a JWT nor an object');
        if (c.includes('~')) throw unverifiable('SD-JWT credentials inside a VP JWT are not accepted; present JWT VCs');
        if (state.credentials.length >= MAX_FIWARE_CREDENTIALS) throw malformed('ERR_VP_MALFORMED', `at most ${MAX_FIWARE_CREDENTIALS} credentials may be presented`);
        state.credentials.push(parseCredentialJwt(c));
      }
      state.vps.push(vp);
    }
  },
};
