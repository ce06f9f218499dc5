/**
 * `verifyFiwarePresentation` in wallet mode (the H2M login's OpenID4VP answer, used by the FIWARE
 * login routes): the login's nonce and one of its audiences are always required — even for a
 * service with allowUnboundVp —, types are not required, and nothing is reserved in the store.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { verifyFiwarePresentation, decodeFiwareVpToken, type FiwareService } from '@dome-verifier/core/fiware';
import { VerifierError } from '@dome-verifier/core';
import { boundVpToken, dscVpToken, fiwareUserCredential } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
let service: FiwareService;
const CLIENT = 'did:key:zDnaeVerifierClientId';
before(async () => {
  w = await createFiwareWorld((til) => [{ id: 'portal', defaultOidcScope: 'login', allowUnboundVp: true, oidcScopes: { login: { credentials: [...(userScope(til).credentials as unknown[]), { type: 'OtherCredential', trustedIssuersLists: ['*'] }] } } }]);
  service = (await w.runtime.fiwareServices.get('portal'))!;
});
after(() => w.close());

const verify = (vpToken: string, nonce: string) =>
  verifyFiwarePresentation({ presentations: decodeFiwareVpToken(vpToken), mode: 'wallet', service, scopes: [service.oidcScopes.login!], audiences: [CLIENT, w.issuer], nonce }, w.runtime.fiwareDeps);

test('wallet mode accepts the login nonce and audience, needs not every type, stores nothing', async () => {
  const before = w.storeSize();
  const vp = boundVpToken(w.holder, [fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })], { aud: CLIENT, nonce: 'login-nonce', nowMs: w.clock.now() });
  const verified = await verify(vp, 'login-nonce');
  assert.equal(verified.holder, w.holder.did);
  assert.deepEqual(verified.credentials.map((c) => c.types), [['UserCredential']]);
  assert.equal(verified.nonce, 'login-nonce');
  assert.deepEqual(verified.reserved, []);
  assert.equal(w.storeSize(), before);
});

test('wallet mode refuses another nonce, a missing nonce/aud (allowUnboundVp does not apply), another audience', async () => {
  const vc = () => fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() });
  const code = (e: unknown) => (e instanceof VerifierError ? e.code : String(e));
  const cases: Array<[string, string]> = [
    [boundVpToken(w.holder, [vc()], { aud: CLIENT, nonce: 'other', nowMs: w.clock.now() }), 'ERR_VP_NONCE'],
    [dscVpToken(w.holder, vc()), 'ERR_VP_AUDIENCE'],
    [boundVpToken(w.holder, [vc()], { aud: 'https://elsewhere.example', nonce: 'login-nonce', nowMs: w.clock.now() }), 'ERR_VP_AUDIENCE'],
  ];
  for (const [vp, expected] of cases) {
    await assert.rejects(verify(vp, 'login-nonce'), (e) => code(e) === expected || assert.fail(`${code(e)} ≠ ${expected}`));
  }
});
