/**
 * The closed catalogue of failure codes. Each code has one OAuth `error` (RFC 6749 §5.2,
 * RFC 6750 §3.1), one HTTP status and a one-line summary; `docs/errors.md` is generated from
 * this table and CI fails when the two differ. Descriptions sent to clients are written at the
 * throw site and never contain tokens, presentations, keys or assertions.
 */
export type OAuthErrorName =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'unsupported_response_type'
  | 'invalid_request_object'
  | 'invalid_request_uri'
  | 'unsupported_token_type'
  | 'invalid_token'
  | 'temporarily_unavailable'
  | 'server_error'
  // IN2 V3 EUDISTACK-145 dual-format gate (RFC 9457 problem+json, see PROBLEM_JSON_CODES)
  | 'legacy_format_sunset_closed'
  | 'bumped_format_temporarily_disabled';

interface ErrorSpec {
  readonly error: OAuthErrorName;
  readonly status: number;
  readonly summary: string;
}

const e = (error: OAuthErrorName, status: number, summary: string): ErrorSpec => ({ error, status, summary });

export const ERROR_CODES = {
  // --- HTTP request shape ------------------------------------------------------------------
  ERR_REQUEST_CONTENT_TYPE: e('invalid_request', 400, 'The body is not application/x-www-form-urlencoded.'),
  ERR_REQUEST_TOO_LARGE: e('invalid_request', 413, 'The body exceeds the 64 KiB limit.'),
  ERR_REQUEST_MALFORMED: e('invalid_request', 400, 'The body cannot be parsed as a form.'),
  ERR_REQUEST_TIMEOUT: e('invalid_request', 408, 'The request was not received completely within `server.requestTimeoutMs` (or its headers within `server.headersTimeoutMs`); the connection is closed.'),
  ERR_REQUEST_DUPLICATE_PARAMETER: e('invalid_request', 400, 'A parameter appears more than once (RFC 6749 §3.2).'),
  ERR_REQUEST_MISSING_PARAMETER: e('invalid_request', 400, 'A required parameter is missing or empty.'),
  ERR_GRANT_TYPE_UNSUPPORTED: e('unsupported_grant_type', 400, 'The grant_type is not supported by this server.'),
  ERR_SCOPE_INVALID: e('invalid_scope', 400, 'A requested scope is not available for this grant.'),
  ERR_TARGET_INVALID: e('invalid_target', 400, 'The resource parameter is not acceptable (RFC 8707).'),

  // --- client authentication -----------------------------------------------------------------
  ERR_CLIENT_AUTH_MISSING: e('invalid_client', 401, 'No client authentication was sent.'),
  ERR_CLIENT_AUTH_MULTIPLE: e('invalid_request', 400, 'More than one client authentication method was used.'),
  ERR_CLIENT_ASSERTION_TYPE: e('invalid_client', 401, 'client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.'),
  ERR_CLIENT_UNKNOWN: e('invalid_client', 401, 'The client is not in the Trusted Services List.'),
  ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED: e('invalid_client', 401, 'The client is not registered for JWT client authentication.'),
  ERR_CLIENT_GRANT_NOT_ALLOWED: e('unauthorized_client', 400, 'The client is not registered for this grant type.'),
  ERR_ASSERTION_MALFORMED: e('invalid_client', 401, 'The client assertion is not a well-formed compact JWS.'),
  ERR_ASSERTION_ALG: e('invalid_client', 401, 'The client assertion uses an algorithm that is not allowed (none, HMAC, or not the registered one).'),
  ERR_ASSERTION_HEADER: e('invalid_client', 401, 'The client assertion header is not acceptable (typ, crit, jku/x5u, foreign jwk).'),
  ERR_ASSERTION_CLAIM_MISSING: e('invalid_client', 401, 'A required client assertion claim (iss, sub, aud, exp, jti, vp_token) is missing.'),
  ERR_ASSERTION_CLAIM_INVALID: e('invalid_client', 401, 'A client assertion claim has the wrong type or format.'),
  ERR_ASSERTION_SUBJECT: e('invalid_client', 401, 'iss and sub of the client assertion must both equal client_id.'),
  ERR_ASSERTION_AUDIENCE: e('invalid_client', 401, 'The client assertion audience is not this server.'),
  ERR_ASSERTION_EXPIRED: e('invalid_client', 401, 'The client assertion has expired.'),
  ERR_ASSERTION_NOT_YET_VALID: e('invalid_client', 401, 'The client assertion nbf or iat lies in the future beyond the allowed skew.'),
  ERR_ASSERTION_LIFETIME: e('invalid_client', 401, 'The client assertion exp lies too far in the future.'),
  ERR_ASSERTION_REPLAYED: e('invalid_client', 401, 'The client assertion jti was already used.'),
  ERR_ASSERTION_KEY_NOT_FOUND: e('invalid_client', 401, 'No registered key of the client matches the assertion.'),
  ERR_ASSERTION_SIGNATURE: e('invalid_client', 401, 'The client assertion signature does not verify.'),
  ERR_CLIENT_JWKS_UNAVAILABLE: e('temporarily_unavailable', 503, "The client's jwkSetUrl could not be fetched; try again later."),
  ERR_CLIENT_JWKS_INVALID: e('invalid_client', 401, "The client's jwkSetUrl did not return a usable JWKS."),

  // --- presentation ---------------------------------------------------------------------------
  ERR_VP_TOKEN_ENCODING: e('invalid_client', 401, 'vp_token is neither base64/base64url of a JWT (or, at the wallet endpoint, of an SD-JWT or DCQL map) nor a compact JWT, SD-JWT or DCQL JSON map within the size, nesting and entry caps.'),
  ERR_VP_MALFORMED: e('invalid_client', 401, 'The Verifiable Presentation is malformed (JWS, vp claim, verifiableCredential).'),
  ERR_VP_SIGNATURE: e('invalid_client', 401, "The presentation is not signed by the holder's key."),
  ERR_VP_EXPIRED: e('invalid_client', 401, 'The presentation has expired.'),
  ERR_VP_NOT_YET_VALID: e('invalid_client', 401, 'The presentation nbf/iat lies in the future.'),
  ERR_HOLDER_BINDING: e('invalid_client', 401, 'The presenter is not the holder the credential is bound to.'),
  ERR_PRESENTER_NOT_CLIENT: e('invalid_client', 401, 'The presentation was made by someone other than the authenticated client.'),

  // --- credential -----------------------------------------------------------------------------
  ERR_VC_MALFORMED: e('invalid_client', 401, 'The credential is not a well-formed VC-JWT with a vc claim.'),
  ERR_VC_TYPE: e('invalid_client', 401, 'The credential is not of the type this flow requires.'),
  ERR_VC_NOT_YET_VALID: e('invalid_client', 401, 'The credential validFrom/nbf lies in the future.'),
  ERR_VC_EXPIRED: e('invalid_client', 401, 'The credential validUntil/exp has passed.'),
  ERR_VC_REVOKED: e('invalid_client', 401, 'The credential is revoked (legacy list or status list).'),
  ERR_STATUS_LIST_INVALID: e('invalid_client', 401, 'The status list credential is malformed, untrusted or too short.'),
  ERR_ISSUER_NOT_TRUSTED: e('invalid_client', 401, 'The credential issuer is not in the Trusted Issuers List.'),
  ERR_ISSUER_TYPE_NOT_ALLOWED: e('invalid_client', 401, 'The issuer is not trusted for this credential type, or not at this time (validFor).'),
  ERR_VC_SIGNATURE: e('invalid_client', 401, 'The credential signature does not verify with its x5c leaf certificate.'),
  ERR_VC_CERTIFICATE: e('invalid_client', 401, 'The x5c chain is missing, malformed, outside its validity, or not anchored in a trusted root.'),
  ERR_VC_ORGANIZATION_MISMATCH: e('invalid_client', 401, 'The certificate organizationIdentifier (2.5.4.97) differs from the did:elsi issuer.'),
  ERR_CREDENTIAL_CLAIM_NOT_ALLOWED: e('invalid_client', 401, 'A credential claim has a value the issuer may not attest: the claim restrictions (`claims[].allowedValues`) of its TIL attributes for the credential type, valid now, are not met — or a restriction is malformed or uses a JSONPath outside the supported subset (fail closed).'),
  ERR_PARTICIPANT_NOT_TRUSTED: e('invalid_client', 401, 'The credential issuer is not a participant of any trusted participants list of its credential type (EBSI TIR: 404 on v4 and v3; Gaia-X: no did:web `publicKeyJwk.x5u`, or the registry refuses the chain).'),
  ERR_MANDATOR_NOT_TRUSTED: e('invalid_client', 401, 'The mandator organisation is not in the Trusted Issuers List.'),
  ERR_VC_ENVELOPE: e('invalid_client', 401, 'A VCDM 2.0 (bumped) JWT VC is not a `vc+jwt` JWS with its claims at the root, the VCDM 2.0 `@context` first and a `cnf.jwk`.'),
  ERR_FORMAT_LEGACY_CLOSED: e('legacy_format_sunset_closed', 410, 'The legacy LEAR credential family is no longer accepted (`trustFrameworks[i].legacyReadEnabled: false`); answered as application/problem+json.'),
  ERR_FORMAT_BUMPED_DISABLED: e('bumped_format_temporarily_disabled', 503, 'The bumped (VCDM 2.0 / SD-JWT) credential family is switched off (`trustFrameworks[i].bumpedReadEnabled: false`); answered as application/problem+json.'),

  // --- DID resolution (did/resolver.ts: did:key, did:jwk, did:web) -------------------------------
  // The DID is chosen by the presenter (holder, client, issuer), so a DID that cannot be resolved —
  // including an unreachable did:web host — is the presenter's failure (401), never a 503: a 503
  // would tell the client to retry and let anyone with a dead domain raise our outage alarms.
  ERR_DID_INVALID: e('invalid_client', 401, 'The DID (or DID URL) is malformed, or its method-specific id is not a usable key (did:key of another key type than Ed25519/P-256/P-384, did:jwk that is not a public JWK, did:web that names no host).'),
  ERR_DID_UNSUPPORTED_METHOD: e('invalid_client', 401, 'The DID method is not one this verifier resolves (did:key, did:jwk, did:web; did:elsi keys come from the x5c chain).'),
  ERR_DID_NOT_FOUND: e('invalid_client', 401, 'The did:web document does not exist (HTTP 404/410).'),
  ERR_DID_RESOLUTION_FAILED: e('invalid_client', 401, 'The did:web document could not be fetched (unreachable or non-public host, timeout, `verifier.backend.did.webMaxDocumentBytes` exceeded, HTTP status other than 200/404/410).'),
  ERR_DID_DOCUMENT_INVALID: e('invalid_client', 401, 'The DID document is not a JSON object whose `id` is the DID, or its verification methods are malformed.'),
  ERR_DID_KEY_NOT_FOUND: e('invalid_client', 401, 'The DID document has no usable JWK verification method (controlled by the DID) for the kid, or several when the kid names none.'),

  // --- authorization endpoint (H2M) ---------------------------------------------------------
  ERR_AUTHZ_CLIENT_UNKNOWN: e('invalid_request', 400, 'Unknown client_id at /oidc/authorize: an error page is shown, never a redirect.'),
  ERR_AUTHZ_REDIRECT_URI: e('invalid_request', 400, 'redirect_uri missing or not registered for the client (exact match): an error page, never a redirect.'),
  ERR_AUTHZ_PARAMETER: e('invalid_request', 400, 'A required authorization parameter is missing, repeated, too long or invalid (state, PKCE).'),
  ERR_AUTHZ_RESPONSE_TYPE: e('unsupported_response_type', 400, 'Only response_type=code is supported.'),
  ERR_AUTHZ_SCOPE: e('invalid_scope', 400, 'Every scope but openid, profile, email, offline_access must name a DCQL profile of the trust framework (by default learcredential, openid_learcredential, learcredential.employee, learcredential.machine), and one must.'),
  ERR_REQUEST_OBJECT_INVALID: e('invalid_request_object', 400, 'The request object is unsigned, badly signed, expired, for another audience, or contradicts the request.'),
  ERR_REQUEST_URI_INVALID: e('invalid_request_uri', 400, 'The request_uri cannot be fetched safely (scheme, address, size, timeout, status).'),
  ERR_LOGIN_RATE_LIMITED: e('temporarily_unavailable', 429, 'Too many logins of this client or from this address are pending (`verifier.backend.login.maxPendingPerClient` / `maxPendingPerIp`): an error page with `Retry-After`, nothing stored.'),
  ERR_LOGIN_CAPACITY: e('temporarily_unavailable', 503, 'Too many logins are pending on this replica (`verifier.backend.login.maxPending`): an error page with `Retry-After`, nothing stored.'),

  // --- wallet leg (OpenID4VP direct_post) --------------------------------------------------
  ERR_LOGIN_UNKNOWN: e('invalid_request', 400, 'The state of the wallet response names no login session.'),
  ERR_LOGIN_EXPIRED: e('invalid_request', 400, 'The login session has expired (120 s).'),
  ERR_LOGIN_ALREADY_ANSWERED: e('invalid_request', 400, 'The login session was already answered (one presentation per session).'),
  ERR_LOGIN_ANSWER_IN_PROGRESS: e('invalid_request', 409, 'Another answer to this login is being verified (its lease, `verifier.backend.login.answerLeaseSeconds`, has not lapsed); `Retry-After` says when to post again.'),
  ERR_VP_NONCE: e('invalid_client', 401, 'The presentation nonce is not the one of this login session.'),
  ERR_VP_AUDIENCE: e('invalid_client', 401, 'The presentation has no aud, or one this verifier does not accept.'),
  ERR_VP_TOKEN_QUERY_UNKNOWN: e('invalid_request', 400, 'A key of the vp_token DCQL map names no credential query this login sent.'),
  ERR_VP_TOKEN_QUERY_MISMATCH: e('invalid_request', 400, 'The presented credential does not satisfy the credential query it answers (format jwt_vc_json ↔ VP JWT of a listed type, dc+sd-jwt ↔ SD-JWT with a listed vct).'),
  ERR_VP_TOKEN_PRESENTATIONS: e('invalid_request', 400, 'The vp_token carries more than one presentation; one credential answers a login.'),

  // --- code and refresh grants -------------------------------------------------------------
  ERR_GRANT_CODE_INVALID: e('invalid_grant', 400, 'The authorization code is unknown, expired, or was issued to another client or redirect_uri.'),
  ERR_GRANT_CODE_REUSED: e('invalid_grant', 400, 'The authorization code was already used; the tokens issued from it are revoked.'),
  ERR_GRANT_PKCE: e('invalid_grant', 400, 'code_verifier missing, unexpected, or not matching the S256 code_challenge.'),
  ERR_GRANT_REFRESH_INVALID: e('invalid_grant', 400, 'The refresh token is unknown, expired, revoked, or was issued to another client.'),
  ERR_GRANT_REFRESH_REUSED: e('invalid_grant', 400, 'A rotated refresh token was used again; its whole family is revoked.'),

  // --- revocation and introspection ----------------------------------------------------------
  ERR_TOKEN_TYPE_UNSUPPORTED: e('unsupported_token_type', 400, 'Revocation of an ID token, or a token_type_hint other than access_token / refresh_token (RFC 7009 §2.2.1).'),

  // --- access tokens under inspection (`dome-verifier inspect`; resource servers answer invalid_token) ---
  ERR_ACCESS_TOKEN_MALFORMED: e('invalid_token', 401, 'The access token is not a compact JWS, or its exp, iat or nbf is not a NumericDate.'),
  ERR_ACCESS_TOKEN_SIGNATURE: e('invalid_token', 401, "The access token is not signed with this verifier's key (kid or ES256 signature)."),
  ERR_ACCESS_TOKEN_TYP: e('invalid_token', 401, 'The access token header typ is not the one this verifier issues.'),
  ERR_ACCESS_TOKEN_ISSUER: e('invalid_token', 401, 'The access token iss is not this verifier.'),
  ERR_ACCESS_TOKEN_EXPIRED: e('invalid_token', 401, 'The access token has expired (exp, with the configured clock skew).'),
  ERR_ACCESS_TOKEN_NOT_YET_VALID: e('invalid_token', 401, 'The access token iat or nbf is in the future.'),
  ERR_ACCESS_TOKEN_AUDIENCE: e('invalid_token', 401, 'The access token has no aud (a string or an array of strings).'),
  // --- dependencies and internal --------------------------------------------------------------
  ERR_TRUST_SERVICE_UNAVAILABLE: e('temporarily_unavailable', 503, 'A trust service (TIL, revocation or status list) is unreachable; the request fails closed.'),
  ERR_STORE_UNAVAILABLE: e('temporarily_unavailable', 503, 'The shared state store (Redis) is unreachable or too slow; the request fails closed and nothing is issued.'),
  ERR_STORE_FULL: e('temporarily_unavailable', 503, 'The state store is full (memory store at its entry limit, or Redis out of memory); the request fails closed, nothing is issued, and `/health` reports the store DOWN.'),
  ERR_SERVER_BUSY: e('temporarily_unavailable', 503, 'Too many token or wallet requests are already waiting for CPU (`server.maxQueuedRequests`), or one waited longer than `server.maxQueueWaitMs`; refused before any signature work (when the queue is full, before the body is read), retry later.'),
  ERR_RATE_LIMITED: e('temporarily_unavailable', 429, 'The client address or client id exceeded its request rate (`server.rateLimit.*`); refused before any processing, retry after `Retry-After` seconds.'),
  ERR_SERVER: e('server_error', 500, 'Unexpected internal failure (logged with a request id).'),

  // --- FIWARE VCVerifier-compatible token endpoint (docs/fiware.md) ------------------------------
  ERR_FIWARE_SERVICE_UNKNOWN: e('invalid_request', 400, 'The FIWARE service (path `/services/{id}`, `client_id` header, or token-exchange `resource`) is missing or not configured.'),
  ERR_FIWARE_SCOPE_UNKNOWN: e('invalid_scope', 400, 'A requested scope (comma-separated) is not one of the service\'s oidcScopes.'),
  ERR_FIWARE_SUBJECT_TOKEN_TYPE: e('invalid_request', 400, 'Token exchange: subject_token_type is not urn:eu:oidf:vp_token, or requested_token_type is not the access-token type.'),
  ERR_FIWARE_VP_TOKEN_ENCODING: e('invalid_request', 400, 'vp_token / subject_token is not a VP JWT (raw or base64url without padding), a DCQL map of them, or an SD-JWT, within the size and entry caps.'),
  ERR_FIWARE_PRESENTATION_UNVERIFIABLE: e('invalid_grant', 400, 'The presentation or a credential in it carries no proof this verifier can check (JSON-LD presentations and credentials, SD-JWTs inside a VP).'),
  ERR_FIWARE_PRESENTATION_REJECTED: e('invalid_grant', 400, 'The presentation failed a check of the credential pipeline; `summary` in the body names that check\'s code (e.g. ERR_VC_EXPIRED, ERR_ISSUER_NOT_TRUSTED).'),
  ERR_FIWARE_VP_UNBOUND: e('invalid_grant', 400, 'The VP JWT has no aud (this verifier or the service token endpoint), nonce or exp, and the service does not set allowUnboundVp.'),
  ERR_FIWARE_VP_LIFETIME: e('invalid_grant', 400, 'A bound VP JWT expires more than 10 minutes after now (the replay window is bounded).'),
  ERR_FIWARE_VP_REPLAYED: e('invalid_grant', 400, 'A VP JWT with this holder and nonce was already presented.'),
  ERR_FIWARE_CREDENTIAL_TYPE_MISSING: e('invalid_grant', 400, 'A credential type the requested scopes require was not presented.'),
  ERR_FIWARE_HOLDER_MISMATCH: e('invalid_grant', 400, 'holderVerification: the credential claim does not name the presentation holder.'),
  ERR_FIWARE_TIL_NOT_CONFIGURED: e('invalid_grant', 400, 'The credential type has no trustedIssuersLists (a list is mandatory; `["*"]` opts out).'),
  ERR_FIWARE_CREDENTIAL_STATUS_MISSING: e('invalid_grant', 400, 'credentialStatus.requireStatus: the credential has no status entry of an accepted purpose.'),

  // --- SD-JWT VC (wallet leg: dc+sd-jwt answers) ----------------------------------------------
  ERR_SD_JWT_MALFORMED: e('invalid_request', 400, 'The SD-JWT presentation is not `<issuer-jwt>~<disclosure>~…~<kb-jwt>`, or a part of it is not well-formed.'),
  ERR_SD_JWT_TOO_LARGE: e('invalid_request', 400, 'The SD-JWT presentation exceeds the size, disclosure-count or nesting caps.'),
  ERR_SD_JWT_HEADER: e('invalid_request', 400, 'The issuer JWT header is not acceptable (typ other than dc+sd-jwt, alg not allowed, crit).'),
  ERR_SD_JWT_ISSUER_KEY: e('invalid_request', 400, 'The issuer JWT names no usable issuer key (x5c seal chain for a did:elsi issuer, or a did:key issuer).'),
  ERR_SD_JWT_CERTIFICATE: e('invalid_request', 400, 'The issuer x5c chain is malformed, outside its validity, or not anchored in a trusted root.'),
  ERR_SD_JWT_ORGANIZATION_MISMATCH: e('invalid_request', 400, 'The issuer certificate organizationIdentifier (2.5.4.97) differs from the did:elsi issuer.'),
  ERR_SD_JWT_SIGNATURE: e('invalid_request', 400, 'The issuer JWT signature does not verify with the issuer key.'),
  ERR_SD_JWT_TIME: e('invalid_request', 400, 'The issuer JWT is expired (exp) or not yet valid (nbf, iat) beyond the allowed skew.'),
  ERR_SD_JWT_SD_ALG: e('invalid_request', 400, 'The _sd_alg is not sha-256 (the only digest algorithm accepted).'),
  ERR_SD_JWT_DISCLOSURE: e('invalid_request', 400, 'A disclosure is malformed, tampered or unreferenced, discloses a reserved or already present claim, or a digest appears twice.'),
  ERR_SD_JWT_HOLDER_KEY: e('invalid_request', 400, 'The issuer JWT has no usable cnf.jwk holder key.'),
  ERR_SD_JWT_KB_MISSING: e('invalid_request', 400, 'The presentation carries no Key Binding JWT (it is required).'),
  ERR_SD_JWT_KB_INVALID: e('invalid_request', 400, 'The Key Binding JWT is malformed, not typ kb+jwt, or not signed by the cnf.jwk holder key.'),
  ERR_SD_JWT_KB_AUDIENCE: e('invalid_request', 400, 'The Key Binding JWT aud is not this verifier\'s client_id.'),
  ERR_SD_JWT_KB_NONCE: e('invalid_request', 400, 'The Key Binding JWT nonce is not the one of this login.'),
  ERR_SD_JWT_KB_SD_HASH: e('invalid_request', 400, 'The Key Binding JWT sd_hash does not match the presented SD-JWT and disclosures.'),
  ERR_SD_JWT_KB_IAT: e('invalid_request', 400, 'The Key Binding JWT iat is missing or outside the accepted window (max age, skew).'),
  ERR_SD_JWT_VCT: e('invalid_request', 400, 'The SD-JWT VC vct is not a LEAR credential type, or its mandate is incomplete.'),

  // --- FIWARE H2M (VCVerifier-compatible browser logins, fiware/h2m) --------------------------
  ERR_FIWARE_LOGIN_PARAMETER: e('invalid_request', 400, 'A FIWARE login parameter (client_id, scope, state, response_type, request_mode) is missing, too long or not supported.'),
  ERR_FIWARE_LOGIN_SERVICE_UNKNOWN: e('invalid_request', 400, 'client_id names no FIWARE service (`verifier.fiware.services`).'),
  ERR_FIWARE_LOGIN_SCOPE: e('invalid_scope', 400, 'The scope of a FIWARE login is not one of the service\'s oidcScopes.'),
  ERR_FIWARE_LOGIN_TYPE: e('invalid_request', 400, 'The FIWARE service has no authorizationType (DEEPLINK or FRONTEND_V2): VCVerifier answers a useless relative redirect, we refuse.'),
  ERR_FIWARE_LOGIN_REDIRECT_URI: e('invalid_request', 400, 'redirect_uri is not one of the service\'s redirectUris (exact match), or a QR login has none, or the service lists none.'),
  ERR_FIWARE_LOGIN_STATE_IN_USE: e('invalid_request', 400, 'A FIWARE login with this state is already pending (VCVerifier refuses a second flow with the same state too).'),
  ERR_FIWARE_CLIENT_ASSERTION: e('invalid_client', 401, 'The DID-signed client assertion of a FIWARE code or refresh exchange is malformed, badly signed, expired, for another audience, or its kid, iss and sub are not the client_id DID that started the login.'),
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * Codes answered as RFC 9457 `application/problem+json`, as IN2's `DomeDispatchExceptionHandler`
 * does; the body carries the RFC 6749 `error`/`error_description` members too, so OAuth clients
 * that read those keep working.
 */
export const PROBLEM_JSON_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['ERR_FORMAT_LEGACY_CLOSED', 'ERR_FORMAT_BUMPED_DISABLED']);
