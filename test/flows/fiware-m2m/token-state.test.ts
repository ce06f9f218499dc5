/**
 * FIWARE access tokens at /oidc/introspect: a resource server registered as a DOME client
 * introspects them like DOME machine tokens — active, issued to the service (its `aud`), the
 * credential never shown; with `recordMachineTokens` they are recorded (`at:{jti}` → service id).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodePart } from '../../support/world.ts';
import { clientAssertion } from '../../support/h2m.ts';
import { dscVpToken, fiwareUserCredential } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

const worlds: FiwareWorld[] = [];
after(() => Promise.all(worlds.map((w) => w.close())));

async function world(env: Record<string, string> = {}) {
  const w = await createFiwareWorld((til) => [{ id: 'data-service', defaultOidcScope: 'default', allowUnboundVp: true, oidcScopes: { default: userScope(til) } }], { env });
  worlds.push(w);
  return w;
}

async function fiwareToken(w: FiwareWorld): Promise<string> {
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  return res.json.access_token as string;
}

async function introspect(w: FiwareWorld, token: string) {
  const form = { token, client_id: w.machine.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion(w, w.machine) };
  return w.postForm('/oidc/introspect', form);
}

for (const record of [false, true]) {
  test(`a FIWARE access token is active at /oidc/introspect, issued to its service (recordMachineTokens ${record ? 'on: recorded' : 'off: nothing stored'})`, async () => {
    const w = await world(record ? { VERIFIER_BACKEND_ACCESSTOKEN_RECORDMACHINETOKENS: 'true' } : {});
    const before = w.storeSize();
    const token = await fiwareToken(w);
    assert.equal(w.storeSize(), before + (record ? 1 : 0));
    const claims = decodePart(token);
    const res = await introspect(w, token);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json, { active: true, scope: 'default', client_id: 'data-service', sub: w.holder.did, exp: claims.exp, iat: claims.iat, iss: w.issuer, aud: ['data-service'], jti: claims.jti, token_type: 'Bearer' });
  });
}
