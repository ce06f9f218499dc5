/**
 * A bare SD-JWT VC as `vp_token` (spec §3 shape a; VCVerifier's own M2M tests post
 * `{"cred-1":"<SD-JWT>~"}`): accepted only with its KB-JWT — signed by `cnf.jwk`, `aud` = this
 * verifier or the service token endpoint, `nonce` used once (VCVerifier skips the KB-JWT).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateP256, issueSdJwtVc, presentSdJwt } from '@dome-verifier/dev-issuer';
import { decodePart } from '../../support/world.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
const holder = generateP256();
before(async () => {
  w = await createFiwareWorld((til) => [{ id: 'data-service', defaultOidcScope: 'default', oidcScopes: { default: userScope(til) } }]);
});
after(() => w.close());

function sdJwt(o: { aud?: string; nonce?: string; kb?: boolean } = {}): string {
  const issued = issueSdJwtVc({
    didKeyIssuer: w.fiwareIssuer.privateKey,
    holderJwk: holder.publicJwk,
    vct: 'UserCredential',
    mandatee: { id: holder.did },
    validFrom: new Date(w.clock.now() - 60_000),
    validUntil: new Date(w.clock.now() + 3_600_000),
    claims: { sub: holder.did, roles: [{ names: ['OPERATOR'], target: 'did:web:provider.example' }] },
  });
  if (o.kb === false) return issued.sdJwt;
  return presentSdJwt({ sdJwt: issued.sdJwt, holderKey: holder.privateKey, clientId: o.aud ?? w.issuer, nonce: o.nonce ?? crypto.randomUUID(), iat: Math.floor(w.clock.now() / 1000) });
}

async function refused(vpToken: string, summary: string) {
  const before = w.storeSize();
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: vpToken });
  assert.equal(res.status, 400, JSON.stringify(res.json));
  assert.equal(res.json.error, 'invalid_request');
  assert.equal(res.json.summary, summary);
  assert.equal(w.storeSize(), before, 'nothing stored');
}

test('a bare SD-JWT VC with its KB-JWT (raw, and in a DCQL map) is accepted once; the token carries the VCVerifier-shaped credential', async () => {
  for (const encode of [(s: string) => s, (s: string) => JSON.stringify({ 'cred-1': s })]) {
    const presentation = sdJwt();
    const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: encode(presentation) });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const claims = decodePart(res.json.access_token as string);
    assert.equal(claims.sub, holder.did);
    const vc = claims.verifiableCredential as { type: string[]; issuer: string; credentialSubject: Record<string, unknown> };
    assert.deepEqual(vc.type, ['UserCredential']);
    assert.equal(vc.issuer, w.fiwareIssuer.did);
    assert.deepEqual(vc.credentialSubject.roles, [{ names: ['OPERATOR'], target: 'did:web:provider.example' }]);
    assert.equal((vc.credentialSubject.mandate as { mandatee: { id: string } }).mandatee.id, holder.did, 'disclosed claims are in credentialSubject');
    const again = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: encode(presentation) });
    assert.equal(again.status, 400);
    assert.equal(again.json.summary, 'ERR_FIWARE_VP_REPLAYED');
  }
});

test('an SD-JWT without a KB-JWT is refused (ERR_SD_JWT_KB_MISSING)', async () => {
  await refused(sdJwt({ kb: false }), 'ERR_SD_JWT_KB_MISSING');
});

test('an SD-JWT whose KB-JWT names another audience is refused (ERR_SD_JWT_KB_AUDIENCE)', async () => {
  await refused(sdJwt({ aud: 'https://other-verifier.example' }), 'ERR_SD_JWT_KB_AUDIENCE');
});

test('an SD-JWT with a tampered disclosure is refused', async () => {
  const p = sdJwt();
  const parts = p.split('~');
  parts[1] = Buffer.from(JSON.stringify(['salt', 'mandatee', { id: 'did:key:zDnaeEvil' }])).toString('base64url');
  await refused(parts.join('~'), 'ERR_SD_JWT_DISCLOSURE');
});
