/**
 * Which kind of JWT an input is, from its shape alone (no verification), and an unverified
 * decoder for showing header and claims.
 */
import { isRecord } from '../shared/json.ts';
import type { InspectKind } from './types.ts';

/** The input cannot be inspected as given (not a JWT, or of no recognisable kind). */
export class InspectInputError extends Error {
  override name = 'InspectInputError';
}

/** Inspection reads at most this much; the largest pipeline input (a client assertion) is 60 KiB. */
export const MAX_INSPECT_LENGTH = 256 * 1024;

function segmentJson(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment || !/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Header and payload of a compact JWS, decoded without any check. Returns undefined when the
 * input is not a compact JWS with JSON-object header and payload.
 */
export function decodeUnverified(jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined {
  if (jwt.length > MAX_INSPECT_LENGTH) return undefined;
  const parts = jwt.split('.');
  if (parts.length !== 3) return undefined;
  const header = segmentJson(parts[0]);
  const claims = segmentJson(parts[1]);
  return header && claims ? { header, claims } : undefined;
}

const REQUEST_OBJECT_TYP = new Set(['oauth-authz-req+jwt', 'application/oauth-authz-req+jwt']);

/**
 * The kind of `jwt`, by shape:
 * - `vp` claim → `vp`;
 * - `scope`, `client_id` and `vc` claims with `iss` = the verifier (`options.issuer`) or
 *   `iss` = `client_id` (how this verifier writes its access tokens) → `access-token`;
 * - `vc` claim, or `credentialSubject` at the root (VCDM 2.0) → `vc`;
 * - `vp_token` claim → `client-assertion`;
 * - header `typ` `oauth-authz-req+jwt`, or `response_type`/`redirect_uri` claims → `request-object`.
 * Throws `InspectInputError` when the input is not a JWT or has none of these shapes.
 */
export function detectKind(jwt: string, options: { issuer?: string } = {}): InspectKind {
  const token = jwt.trim();
  if (token.length > MAX_INSPECT_LENGTH) throw new InspectInputError(`the input exceeds ${MAX_INSPECT_LENGTH} characters`);
  const decoded = decodeUnverified(token);
  if (!decoded) throw new InspectInputError('the input is not a compact JWT (header.payload.signature, base64url JSON)');
  const { header, claims } = decoded;
  if (isRecord(claims.vp)) return 'vp';
  const iss = claims.iss;
  if (claims.scope !== undefined && claims.client_id !== undefined && claims.vc !== undefined && typeof iss === 'string' && (iss === options.issuer || iss === claims.client_id)) {
    return 'access-token';
  }
  if (claims.vc !== undefined || claims.credentialSubject !== undefined) return 'vc';
  if (claims.vp_token !== undefined) return 'client-assertion';
  if ((typeof header.typ === 'string' && REQUEST_OBJECT_TYP.has(header.typ.toLowerCase())) || claims.response_type !== undefined || claims.redirect_uri !== undefined) {
    return 'request-object';
  }
  throw new InspectInputError('cannot tell which kind of JWT this is (no vp, vc, vp_token, request-object or access-token claims); name the kind');
}
