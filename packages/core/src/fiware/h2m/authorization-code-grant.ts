/**
 * `grant_type=authorization_code` of a FIWARE login (spec §5.6), at `/token` or
 * `/services/{id}/token` (the path's service must be the login's). The redeemer proves itself by
 * **either** `redirect_uri` equal to the login's callback (option A; it wins when both are sent,
 * as in VCVerifier) **or** a DID-signed client assertion (option B, client-assertion.ts) whose
 * DID signed the login's client request object (VCVerifier accepts any DID here). The code is
 * the DOME code: 256-bit, 60 s, single use; read → check → prepare → commit like the DOME grant
 * (a failed check consumes nothing; the commit is the set-if-absent of `code-used:`; a second
 * redemption revokes the family the first produced). Only codes of FIWARE logins are accepted.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { findAuthorizationCode } from '../../oauth/authorize/authorization-codes.ts';
import { redeemCode } from '../../oauth/token/grants/authorization-code.ts';
import { hasClientAssertion } from './client-assertion.ts';
import { assertionClient, type FiwareLoginGrant } from './grant-context.ts';
import { issueFiwareUserTokensOnCommit } from './user-tokens.ts';

const invalidCode = (message = 'the authorization code is invalid') => new VerifierError('ERR_GRANT_CODE_INVALID', message);

export const fiwareAuthorizationCodeGrant: FiwareLoginGrant = {
  grantType: 'authorization_code',
  async handle(ctx) {
    const { request, deps } = ctx;
    const { code, redirect_uri: redirectUri } = request.params;
    if (!code) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'code is required');
    if (redirectUri === undefined && !hasClientAssertion(request.params)) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'redirect_uri or a client assertion is required');
    // Option B authenticates before the code is even looked up: a bad assertion learns nothing.
    const clientDid = redirectUri === undefined ? await assertionClient(ctx) : undefined;
    const found = await findAuthorizationCode(deps.store, code);
    const fiware = found?.record.fiware;
    if (!found || !fiware) throw invalidCode();
    const { record } = found;
    if (request.pathServiceId !== undefined && record.clientId !== request.pathServiceId) throw invalidCode('the authorization code was issued for another service');
    if (redirectUri !== undefined && redirectUri !== record.redirectUri) throw invalidCode('redirect_uri differs from the login');
    if (clientDid !== undefined && clientDid !== fiware.clientDid) throw invalidCode('the authorization code was issued to another client');
    return redeemCode(deps, found, (grant, familyId, commit) => issueFiwareUserTokensOnCommit(deps, { ...grant, fiware }, familyId, commit));
  },
};
