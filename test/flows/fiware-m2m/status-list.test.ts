/**
 * `credentialStatus.enabled` on a FIWARE credential type: the credential's
 * BitstringStatusListEntry is checked with the DOME status-list checker, which verifies the
 * status list credential's signature (x5c seal of the same did:elsi issuer) — VCVerifier parses
 * it unverified. A set bit is revoked, a clear bit passes, a list signed by another issuer is
 * invalid. (`outbound.allowInsecure` lets the SSRF guard reach the loopback list.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { signJws } from '@dome-verifier/core';
import { x5cOf } from '@dome-verifier/dev-issuer';
import { ISSUER_DID } from '../../support/world.ts';
import { dscVpToken } from '../../support/fiware.ts';
import { createFiwareWorld, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
before(async () => {
  w = await createFiwareWorld(
    (til) => [{ id: 'data-service', defaultOidcScope: 'default', allowUnboundVp: true, oidcScopes: { default: { credentials: [{ type: 'LEARCredentialMachine', trustedIssuersLists: [til], credentialStatus: { enabled: true }, jwtInclusion: { fullInclusion: true } }] } } }],
    { env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' } },
  );
  const bits = Buffer.alloc(16_384);
  bits[42 >> 3]! |= 0x80 >> (42 & 7);
  const claims = (issuer: string) => ({ iss: issuer, issuer, type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: `u${gzipSync(bits).toString('base64url')}` } });
  const p = w.pki;
  w.til.serve('/status/1', { body: signJws({ alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(p.seal, p.intermediate) }, claims(ISSUER_DID), p.seal.privateKey), contentType: 'application/vc+jwt' });
  w.til.serve('/status/other', { body: signJws({ alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(p.otherSeal, p.intermediate) }, claims('did:elsi:VATES-X9999999'), p.otherSeal.privateKey), contentType: 'application/vc+jwt' });
});
after(() => w.close());

const entry = (index: number, list = '/status/1') => ({ type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: w.til.url(list) });
const present = (credentialStatus: object) => w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: dscVpToken(w.machine, w.issue({ credentialStatus })) });

test('revoked by status list: a set bit is refused (ERR_VC_REVOKED), a clear bit accepted', async () => {
  const before = w.storeSize();
  const revoked = await present(entry(42));
  assert.equal(revoked.status, 400, JSON.stringify(revoked.json));
  assert.equal(revoked.json.error, 'invalid_grant');
  assert.equal(revoked.json.summary, 'ERR_VC_REVOKED');
  assert.equal(w.storeSize(), before);
  assert.equal((await present(entry(41))).status, 200);
});

test('a status list signed by another issuer is invalid (its signature is verified)', async () => {
  const res = await present(entry(41, '/status/other'));
  assert.equal(res.status, 400, JSON.stringify(res.json));
  assert.equal(res.json.summary, 'ERR_STATUS_LIST_INVALID');
});
