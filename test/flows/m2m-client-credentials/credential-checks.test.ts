/**
 * Attack catalogue rows 23–28 (oauth-security.md §6.2) and the presentation pipeline:
 * untrusted issuers, holder binding, revocation, validity, credential type, scope and target,
 * certificate chain and organisation checks.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, decodePart, ISSUER_DID, machineClientEntry, newMachine, ORG, type MachineClient, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';
import { sign } from '../../support/forge.ts';

describe('the LEARCredentialMachine presentation pipeline', () => {
  let w: World;
  const other: MachineClient = newMachine();
  const revokedId = 'urn:uuid:2f6c5a6b-1c1d-4d7e-9b7a-0e0c2b9c0d11';
  before(async () => {
    w = await createWorld({
      clients: [machineClientEntry(other.did)],
      revoked: ['a923523e-2130-4924-9e8f-4cc99fd2b3e8', revokedId],
      til: {
        [ISSUER_DID]: { types: ['LEARCredentialMachine', 'LEARCredentialEmployee'] },
        'did:elsi:VATES-M0000002': { types: [] },
        'did:elsi:VATES-E0000003': { types: ['LEARCredentialEmployee'] },
      },
    });
  });
  after(() => w.close());

  const days = (n: number) => new Date(w.clock.now() + n * 86_400_000);
  const tokenWith = async (credential: string, holder?: MachineClient) => w.post((await w.tokenRequest({ credential, holder })).body);

  test('row 23: a credential from an issuer outside the Trusted Issuers List is refused', async () => {
    const vc = w.issue({ organizationIdentifier: 'VATES-X9999999', seal: w.pki.otherSeal });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /issuer is not a trusted issuer/);
  });

  test('row 23: an issuer trusted only for LEARCredentialEmployee cannot issue machine credentials', async () => {
    const vc = w.issue({ organizationIdentifier: 'VATES-E0000003', seal: w.pki.otherSeal });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /not trusted for this credential type/);
  });

  test('row 23: an issuer outside its TIL validFor window is refused', async () => {
    w.clock.advance(6 * 365 * 86_400_000);
    try {
      const res = await tokenWith(w.issue({ validFrom: days(-1), validUntil: days(30) }));
      assert.equal(res.status, 401);
      assert.equal(res.json.error, 'invalid_client');
    } finally {
      w.clock.advance(-6 * 365 * 86_400_000);
    }
  });

  test('row 24: a presentation signed by DID A of a credential bound to DID B is refused', async () => {
    const vcForOther = w.issue({ holder: other });
    await expectRejected(w, tokenWith(vcForOther, w.machine), 401, 'invalid_client', /signed by another key than the credential holder/);
  });

  test('row 24: a VP whose kid, iss and sub disagree is refused', async () => {
    const { vpJwt } = await w.tokenRequest();
    const payload = decodePart(vpJwt);
    const bad = sign({ alg: 'ES256', kid: w.machine.did }, { ...payload, sub: other.did }, w.machine.privateKey);
    const { createClientAssertion, buildTokenRequestBody } = await import('@dome-verifier/client');
    const a = await createClientAssertion({ clientId: w.machine.did, key: w.machine.privateKey, audience: 'https://verifier.test', vpJwt: bad, now: () => w.clock.now() });
    await expectRejected(w, w.post(buildTokenRequestBody({ clientId: w.machine.did, clientAssertion: a })), 401, 'invalid_client', /two different holders/);
  });

  test('row 24: another registered client cannot present a captured VP of this machine', async () => {
    const { vpJwt } = await w.tokenRequest();
    const { createClientAssertion, buildTokenRequestBody } = await import('@dome-verifier/client');
    const a = await createClientAssertion({ clientId: other.did, key: other.privateKey, audience: 'https://verifier.test', vpJwt, now: () => w.clock.now() });
    await expectRejected(w, w.post(buildTokenRequestBody({ clientId: other.did, clientAssertion: a })), 401, 'invalid_client', /holder is not the authenticated client/);
  });

  test('row 24: a cnf.jwk that is not the presenter key is refused', async () => {
    const vc = w.issue({ shape: 'v2', cnfJwk: other.publicJwk });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /does not match the credential cnf.jwk/);
  });

  test('row 25: a credential in the revoked credential list is refused', async () => {
    await expectRejected(w, tokenWith(w.issue({ id: revokedId })), 401, 'invalid_client', /has been revoked/);
    await expectRejected(w, tokenWith(w.issue({ id: 'urn:uuid:a923523e-2130-4924-9e8f-4cc99fd2b3e8' })), 401, 'invalid_client', /has been revoked/);
  });

  test('row 26: an expired or not yet valid credential is refused', async () => {
    await expectRejected(w, tokenWith(w.issue({ validFrom: days(-400), validUntil: days(-1) })), 401, 'invalid_client', /credential has expired/);
    await expectRejected(w, tokenWith(w.issue({ validFrom: days(2), validUntil: days(300) })), 401, 'invalid_client', /not yet valid/);
  });

  test('row 26: a credential with JWT exp in the past is refused even if validUntil is later', async () => {
    const vc = w.issue({ transform: ({ payload }) => void (payload.exp = Math.floor(w.clock.now() / 1000) - 3600) });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /credential has expired/);
  });

  test('row 26: a LEARCredentialEmployee is refused at the machine endpoint', async () => {
    const vc = w.issue({ kind: 'employee', mandatee: { id: w.machine.did, firstName: 'Jane', lastName: 'Doe', email: 'j@example.org' } });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /expected LEARCredentialMachine/);
  });

  test('row 26: a credential whose validUntil is not an ISO date-time with zone is refused', async () => {
    const vc = w.issue({ transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).validUntil = '2030-04-02 09:23:22.637345122 +0000 UTC') });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /ISO-8601/);
  });

  test('row 27: requesting a scope the machine token does not carry gives invalid_scope; a resource other than this verifier gives invalid_target', async () => {
    await expectRejected(w, w.post((await w.tokenRequest({ scope: 'machine admin' })).body), 400, 'invalid_scope', /machine learcredential/);
    const { body } = await w.tokenRequest();
    body.set('resource', 'https://rs.example');
    await expectRejected(w, w.post(body), 400, 'invalid_target', /omit resource/);
  });

  test('row 28: a machine token never carries the subject of an employee; the sub is the machine DID and the scope marks it machine', async () => {
    const res = await tokenWith(w.issue());
    const claims = decodePart(String(res.json.access_token));
    assert.equal(claims.sub, w.machine.did);
    assert.equal(claims.scope, 'machine learcredential');
  });

  test('a credential signed by a certificate of another organisation than its did:elsi issuer is refused', async () => {
    const vc = w.issue({ seal: w.pki.otherSeal, organizationIdentifier: ORG });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /organizationIdentifier does not match/);
  });

  test('a credential with a tampered payload fails the signature check', async () => {
    const vc = w.issue();
    const [h, , s] = vc.split('.');
    const p = decodePart(vc);
    (p.vc as Record<string, unknown>).validUntil = days(9999).toISOString();
    const tampered = `${h}.${Buffer.from(JSON.stringify(p)).toString('base64url')}.${s}`;
    await expectRejected(w, tokenWith(tampered), 401, 'invalid_client', /signature does not verify/);
  });

  test('a credential without x5c is refused', async () => {
    const vc = w.issue({ transform: ({ header }) => void delete header.x5c });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /no x5c/);
  });

  test('a mandator organisation outside the Trusted Issuers List is refused', async () => {
    const vc = w.issue({ mandator: { organizationIdentifier: 'VATES-Z0000404' } });
    await expectRejected(w, tokenWith(vc), 401, 'invalid_client', /mandator organisation is not in the Trusted Issuers List/);
  });

  test('an expired presentation is refused', async () => {
    const { createVpJwt, createClientAssertion, buildTokenRequestBody } = await import('@dome-verifier/client');
    const vpJwt = await createVpJwt({ credentials: [w.issue()], holderKey: w.machine.privateKey, holderDid: w.machine.did, lifetimeSeconds: 10, now: () => w.clock.now() - 600_000 });
    const a = await createClientAssertion({ clientId: w.machine.did, key: w.machine.privateKey, audience: 'https://verifier.test', vpJwt, now: () => w.clock.now() });
    await expectRejected(w, w.post(buildTokenRequestBody({ clientId: w.machine.did, clientAssertion: a })), 401, 'invalid_client', /presentation has expired/);
  });

  test('a presentation with an empty verifiableCredential list is refused', async () => {
    const vp = sign({ alg: 'ES256', kid: w.machine.did }, { iss: w.machine.did, sub: w.machine.did, vp: { type: ['VerifiablePresentation'], verifiableCredential: [] } }, w.machine.privateKey);
    const { createClientAssertion, buildTokenRequestBody } = await import('@dome-verifier/client');
    const a = await createClientAssertion({ clientId: w.machine.did, key: w.machine.privateKey, audience: 'https://verifier.test', vpJwt: vp, now: () => w.clock.now() });
    await expectRejected(w, w.post(buildTokenRequestBody({ clientId: w.machine.did, clientAssertion: a })), 401, 'invalid_client', /non-empty array/);
  });
});
