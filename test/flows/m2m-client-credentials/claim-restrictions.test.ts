/**
 * TIL claim restrictions (`attributes[].body.claims[].allowedValues`, issue #13 item 4) on the
 * DOME M2M path, end to end: the loopback trust-service stub serves the issuer's TIL entry with
 * restrictions; a credential whose claims are allowed gets a token, one whose power is not
 * allowed is refused with 401 invalid_client and nothing stored.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, ISSUER_DID, TRUST_PATHS, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

const VALID_FOR = { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' };
const entry = (...claims: unknown[]) => JSON.stringify({
  did: ISSUER_DID,
  attributes: ['LEARCredentialMachine', 'LEARCredentialEmployee'].map((credentialsType) => ({
    hash: '', issuerType: 'Undefined', tao: '', rootTao: '',
    body: Buffer.from(JSON.stringify({ validFor: VALID_FOR, credentialsType, claims })).toString('base64'),
  })),
});

describe('TIL claim restrictions on the M2M token endpoint', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ trustOverHttp: true });
  });
  after(() => w.close());

  const serve = (doc: string) => {
    w.clock.advance(3_600_000); // past any cached TIL answer
    w.stub!.serve(`${TRUST_PATHS.til}${ISSUER_DID}`, { body: doc, contentType: 'application/json' });
  };

  test('allowed values (the power the credential carries is listed): a token is issued', async () => {
    serve(entry({ path: '$.mandate.power[*].tmf_function', allowedValues: ['Onboarding', 'ProductOffering'] }, { name: 'absentClaim', allowedValues: [] }));
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.ok(res.json.access_token);
  });

  test('a power the issuer may not attest: 401 invalid_client, no token, nothing stored', async () => {
    serve(entry({ path: '$.mandate.power[*].tmf_function', allowedValues: ['ProductOffering'] }));
    await expectRejected(w, w.post((await w.tokenRequest()).body), 401, 'invalid_client', /the credential claim \$\.mandate\.power\[\*\]\.tmf_function has a value the issuer is not allowed to attest/);
  });

  test('a mandator restricted by name to another organisation: refused', async () => {
    serve(entry({ path: '$.mandate.mandator.organizationIdentifier', allowedValues: ['VATES-OTHER'] }));
    await expectRejected(w, w.post((await w.tokenRequest()).body), 401, 'invalid_client', /organizationIdentifier has a value the issuer is not allowed to attest/);
  });
});
