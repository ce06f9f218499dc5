/**
 * FIWARE issuers and holders beyond did:key, through the DID method registry: a did:web issuer
 * (the DSC's consumers issue from `did:web:…`; its document served on loopback, which only the
 * development switches `outbound.allowInsecure` + `did.webAllowHttp` allow) listed in the TIL,
 * and a did:jwk holder.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportPublicJwk, signJws } from '@dome-verifier/core';
import { decodePart } from '../../support/world.ts';
import { dscVpToken, fiwareUserCredential } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
let webIssuer: { did: string; privateKey: KeyObject };
before(async () => {
  w = await createFiwareWorld((til) => [{ id: 'data-service', defaultOidcScope: 'default', allowUnboundVp: true, oidcScopes: { default: userScope(til) } }], {
    env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true', VERIFIER_BACKEND_DID_WEBALLOWHTTP: 'true' },
  });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const did = `did:web:${new URL(w.til.base).host.replace(':', '%3A')}:org:issuer`;
  webIssuer = { did, privateKey };
  w.til.serve('/org/issuer/did.json', { body: JSON.stringify({ id: did, verificationMethod: [{ id: `${did}#k1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: exportPublicJwk(publicKey) }] }), contentType: 'application/did+json' });
  const now = Date.now();
  const validFor = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 86_400_000).toISOString() };
  const body = Buffer.from(JSON.stringify({ validFor, credentialsType: 'UserCredential', claims: [] })).toString('base64');
  // The stub matches decoded paths: the DID's %3A arrives as ':'.
  w.til.serve(`/v4/issuers/${decodeURIComponent(did)}`, { body: JSON.stringify({ did, attributes: [{ body }] }), contentType: 'application/json' });
});
after(() => w.close());

function webIssuedCredential(kid: string): string {
  const vc = decodePart(fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() }));
  const object = { ...(vc.vc as Record<string, unknown>), issuer: webIssuer.did };
  return signJws({ alg: 'ES256', typ: 'JWT', kid }, { ...vc, iss: webIssuer.did, vc: object }, webIssuer.privateKey);
}

test('a did:web issuer in the TIL: its key from the did:web document verifies the credential', async () => {
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: dscVpToken(w.holder, webIssuedCredential(`${webIssuer.did}#k1`)) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal((decodePart(res.json.access_token as string).verifiableCredential as Record<string, unknown>).issuer, webIssuer.did);
});

test('a did:web credential whose kid names a method the document lacks is refused (ERR_DID_KEY_NOT_FOUND)', async () => {
  const before = w.storeSize();
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: dscVpToken(w.holder, webIssuedCredential(`${webIssuer.did}#k2`)) });
  assert.equal(res.status, 400);
  assert.equal(res.json.error, 'invalid_grant');
  assert.equal(res.json.summary, 'ERR_DID_KEY_NOT_FOUND');
  assert.equal(w.storeSize(), before);
});

test('a did:jwk holder signs the presentation', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const did = `did:jwk:${Buffer.from(JSON.stringify(exportPublicJwk(publicKey))).toString('base64url')}`;
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: `${did}#0` }, { iss: did, vp: { holder: did, verifiableCredential: [fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })] } }, privateKey);
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: vp });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(decodePart(res.json.access_token as string).sub, did);
});

test('a did:web credential kid may be a bare fragment of the issuer DID (#k1 or k1)', async () => {
  for (const kid of ['#k1', 'k1']) {
    const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: dscVpToken(w.holder, webIssuedCredential(kid)) });
    assert.equal(res.status, 200, `${kid}: ${JSON.stringify(res.json)}`);
  }
});
