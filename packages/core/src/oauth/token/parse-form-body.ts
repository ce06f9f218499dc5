/**
 * Parses an application/x-www-form-urlencoded body into single-valued parameters. A parameter
 * sent twice is rejected (RFC 6749 §3.2: "MUST NOT be included more than once"); parameters sent
 * with an empty value are treated as omitted (§3.1); unknown parameters are kept (and ignored by
 * the grants).
 */
import { VerifierError } from '../../errors/verifier-error.ts';

export function parseFormBody(body: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(body);
  } catch {
    throw new VerifierError('ERR_REQUEST_MALFORMED', 'the body is not a valid form');
  }
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (seen.has(name)) throw new VerifierError('ERR_REQUEST_DUPLICATE_PARAMETER', `parameter ${name.slice(0, 64)} must not be sent more than once`);
    seen.add(name);
    if (value !== '') out[name] = value;
  }
  return out;
}
