/**
 * RFC 7807 ProblemDetails, the error body of the `/service` configuration API, with FIWARE
 * VCVerifier's problem type URIs (`ccsapi/handlers.go`) where VCVerifier has one and
 * `about:blank` (the status says it all, RFC 7807 §4.2) for the refusals VCVerifier does not make
 * (authentication, body size, limits, an unavailable store).
 */
export const PROBLEM_TYPES = {
  validation: 'https://fiware.github.io/VCVerifier/problem/validation-error',
  notFound: 'https://fiware.github.io/VCVerifier/problem/not-found',
  conflict: 'https://fiware.github.io/VCVerifier/problem/conflict',
  internal: 'https://fiware.github.io/VCVerifier/problem/internal-error',
  /** Ours: the API holds FIWARE_LIMITS.services services already. */
  tooMany: 'urn:dome-verifier:problem:too-many-services',
  blank: 'about:blank',
} as const;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance?: string;
}

export function problem(status: number, type: string, title: string, detail: string, instance?: string): ProblemDetails {
  return { type, title, status, detail, ...(instance !== undefined && { instance }) };
}
