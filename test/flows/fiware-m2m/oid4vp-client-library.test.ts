/**
 * The FIWARE OID4VP client library's machine flow (spec §8.2): metadata, the DEEPLINK discovery
 * (`/api/v1/authorization` → 302 `openid4vp:` → request object), then the token call: a VP JWT with header
 * `typ: JWT` + `kid` and claims **only** `iss` (the holder) and `vp: {holder, verifiableCredential}`;
 * with DCQL `credential_sets` the `vp_token` is base64url (no padding) of `{<query id>: <VP JWT>}`;
 * form `grant_type=vp_token&vp_token&scope=<scopes joined by SPACE>&client_id`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJws, signJws, verifyJws } from '@dome-verifier/core';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
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

test('the whole library flow: metadata, DEEPLINK 302 to openid4vp:, the request object (verified against client_id, state/nonce echoed, dcql_query), then vp_token at the token endpoint', async () => {
  // 1. metadata
  const metadata = (await (await fetch(`${w.issuer}/services/data-service/.well-known/openid-configuration`)).json()) as Record<string, string>;
  // 2. the authorization endpoint, scopes joined by a space; the library requires a 302 to openid4vp:
  const state = 'Qm9vb3N0YXRlMTIz';
  const nonce = 'bm9uY2Vub25jZTEy';
  const authorize = new URL(metadata.authorization_endpoint!, w.issuer);
  authorize.search = new URLSearchParams({ state, nonce, response_type: 'code', client_id: 'data-service', scope: 'default' }).toString();
  const redirect = await fetch(authorize, { redirect: 'manual' });
  assert.equal(redirect.status, 302);
  const location = new URL(redirect.headers.get('location')!);
  assert.equal(location.protocol, 'openid4vp:');
  const clientId = location.searchParams.get('client_id')!;
  assert.equal(location.searchParams.get('request_uri_method'), 'get');
  // 3. the request object: a JWS verified against client_id (a did:key), echoing state and nonce
  const ro = await fetch(location.searchParams.get('request_uri')!);
  assert.equal(ro.status, 200);
  const jws = decodeJws(await ro.text(), { maxLength: 65536 });
  verifyJws(jws, didKeyToKeyObject(clientId), { algorithms: ['ES256'] });
  assert.equal(jws.payload.state, state);
  assert.equal(jws.payload.nonce, nonce);
  assert.equal(jws.payload.response_type, 'vp_token');
  assert.equal(jws.payload.response_mode, 'direct_post');
  const dcql = jws.payload.dcql_query as { credentials: { id: string }[]; credential_sets?: unknown[] };
  assert.ok(dcql.credential_sets, 'the scope has credential_sets: the library answers with a map');
  // 4.–5. the VP JWT (iss + vp only) in a base64url map keyed by the query id, at the token endpoint
  const vp = libraryVp(w.holder, [fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() })]);
  const vpToken = b64url(JSON.stringify({ [dcql.credentials[0]!.id]: vp }));
  const res = await w.postForm(new URL(metadata.token_endpoint!).pathname, { grant_type: 'vp_token', vp_token: vpToken, scope: 'default', client_id: 'data-service' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const claims = decodePart(res.json.access_token as string);
  assert.deepEqual(claims.aud, ['data-service']);
  assert.equal(claims.sub, w.holder.did);
});
