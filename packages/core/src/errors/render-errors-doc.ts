/** Generates docs/errors.md from the error catalogue (the test beside this file keeps them equal). */
import { ERROR_CODES } from './codes.ts';

export function renderErrorsDoc(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, spec]) => `| \`${code}\` | \`${spec.error}\` | ${spec.status} | ${spec.summary} |`);
  return `# Error codes

<!-- Generated from packages/core/src/errors/codes.ts by renderErrorsDoc(); run \`UPDATE_DOCS=1 npm test\` after changing codes. -->

Every rejection has one stable internal code. Clients receive the OAuth error (RFC 6749 §5.2)
with a precise \`error_description\`:

\`\`\`json
HTTP/1.1 401 Unauthorized
Content-Type: application/json; charset=utf-8
Cache-Control: no-store

{"error":"invalid_client","error_description":"the client assertion was already used (jti)"}
\`\`\`

The internal code appears in the server log line of the rejection (\`code\`, with the request id)
and in the metric \`verifier_validation_failures_total{code,step}\`, never in the response, and
no description ever contains a token, presentation, credential, assertion or key.

Status codes: 400 for malformed requests, 401 for every failure to authenticate the client —
including everything wrong with its Verifiable Presentation and credential, which *are* its
authentication in the M2M flow — 413 for oversized bodies, and 503 \`temporarily_unavailable\`
(with \`Retry-After\`) when a trust service needed for the decision is unreachable: the verifier
fails closed. Any other 5xx is a bug (\`ERR_SERVER\`).

Where a code is answered depends on the endpoint:

- \`/oidc/token\`: as in the table.
- \`/oidc/authorize\`: before the \`redirect_uri\` is validated (unknown client, unregistered
  \`redirect_uri\`) an HTML error page with status 400 — never a redirect; afterwards a 302 to the
  \`redirect_uri\` with \`error\`, \`error_description\`, \`state\` and \`iss\` (RFC 9207).
- \`/oid4vp/auth-response\` (wallet): presentation and credential failures — \`invalid_client\` in
  the table, where the presentation authenticates a client — are answered \`400 invalid_request\`
  with the same description, and the login page shows the failure.

| Code | OAuth \`error\` | HTTP | Meaning |
|---|---|---|---|
${rows.join('\n')}
`;
}
