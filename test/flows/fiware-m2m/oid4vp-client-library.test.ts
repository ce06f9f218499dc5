/**
 * The FIWARE OID4VP client library's machine flow, token half (spec §8.2 step 4–5; its DEEPLINK
 * discovery half needs /api/v1/authorization, the H2M surface): a VP JWT with header
 * `typ: JWT` + `kid` and claims **only** `iss` (the holder) and `vp: {holder, verifiableCredential}`;
 * with DCQL `credential_sets` the `vp_token` is base64url (no padding) of `{<query id>: <VP JWT>}`;
 * form `grant_type=vp_token&vp_token&scope=<scopes joined by SPACE>&client_id`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { signJws } from '@dome-verifier/core';
import { decodePart } from '../../support/world.ts';
import { fiwareUserCredential, type DidKeyPair } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
before(async () => {
  w = await createFiwareWorld((til) => [
    {
      id: 'data-service',
      defaultOidcScope: 'default',
      authorizationType: 'DEEPLINK',
      allowUnboundVp: true,
      oidcScopes: {
        default: { ...userScope(til), dcql: { credentials: [{ id: 'user-query', format: 'jwt_vc_json', meta: { type_values: [['UserCredential']] } }], credential_sets: [{ options: [['user-query']] }] } },
        operator: userScope(til),
        'openid learcredential': userScope(til),
      },
    },
  ]);
});
after(() => w.close());

/** The library's HolderSigningService: header {typ, kid}, claims iss + vp only. */
function libraryVp(holder: DidKeyPair, credentials: string[]): string {
  return signJws({ alg: 'ES256', typ: 'JWT', kid: `${holder.did}#${holder.did.slice('did:key:'.length)}` }, { iss: holder.did, vp: { holder: holder.did, verifiableCredential: credentials } }, holder.privateKey);
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

test('the library posts base64url({query id: VP JWT}) with space-joined scopes and a form client_id; both scopes are served', async () => {
  const metadata = (await (await fetch(`${w.issuer}/services/data-service/.well-known/openid-configuration`)).json()) as Record<string, string>;
  const vpToken = b64url(JSON.stringify({ 'user-query': libraryVp(w.holder, [fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })]) }));
  const res = await w.postForm(new URL(metadata.token_endpoint!).pathname, { grant_type: 'vp_token', vp_token: vpToken, scope: 'default operator', client_id: 'data-service' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.scope, 'default,operator', 'a space-joined list whose parts are all scopes stands for those scopes');
  const claims = decodePart(res.json.access_token as string);
  assert.equal(claims.sub, w.holder.did);
  assert.deepEqual(claims.aud, ['data-service']);
});

test('an exact scope name with a space wins over splitting (openid learcredential)', async () => {
  const vpToken = libraryVp(w.holder, [fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })]);
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: vpToken, scope: 'openid learcredential' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.scope, 'openid learcredential');
});
