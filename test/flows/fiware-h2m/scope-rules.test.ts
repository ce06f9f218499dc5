/**
 * A FIWARE login is judged by the service's scope (spec §6.2, §7; docs/fiware.md "Browser logins
 * (H2M)"): the wallet's answer goes through the FIWARE presentation pipeline in wallet mode — the
 * scope's credential types, their trustedIssuersLists with claim restrictions, holder checks and
 * status —, so the BAE marketplace accepts a non-LEAR credential (a FIWARE `UserCredential` from a
 * did:key issuer the TIL lists) as the DSC registers it, and refuses one from an issuer the TIL
 * does not list or with a claim value the TIL does not allow: exact error, the login failed, no
 * code. The access token of the code exchange and of every refresh is built as the M2M one
 * (`aud` [service id], `sub` holder, jwtInclusion `claimsToInclude` / `flatClaims`, `vc`).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { fiwareUserCredential, newDidKey, opaReadsRoles } from '../../support/fiware.ts';
import { BAE_CALLBACK, createH2mWorld, LOGIN_SCOPE, type H2mWorld } from './fiware-h2m-world.ts';

let h: H2mWorld;
before(async () => {
  h = await createH2mWorld();
});
after(() => h.close());

const ROLES = [{ names: ['CUSTOMER'], target: 'did:web:market.example' }];
const claimsOf = (jwt: unknown) => JSON.parse(Buffer.from(String(jwt).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

function userCredential(issuer = h.fiwareIssuer, subject: Record<string, unknown> = {}): string {
  return fiwareUserCredential({ issuer, holder: h.user.did, roles: ROLES, nowMs: h.w.clock.now(), subject });
}

/** The marketplace's QR login for `service`; the wallet answers with `credentials`. */
async function login(service: string, credentials: string[]) {
  const state = randomUUID();
  const nonce = randomUUID();
  const requestUri = h.serveRequestObject({ client_id: service, state, nonce });
  const query = new URLSearchParams({ state, client_id: service, response_type: 'code', request_uri: requestUri, scope: LOGIN_SCOPE, nonce });
  const page = await h.get(`/api/v2/loginQR?${query.toString()}`);
  assert.equal(page.status, 200, page.body.slice(0, 300));
  const authRequest = /href="(openid4vp:\/\/[^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
  const cookie = decodeURIComponent(String(page.headers['set-cookie']).split(';')[0]!.split('=').slice(1).join('='));
  const storedBefore = h.w.storeSize();
  const answer = await h.wallet(authRequest, { credentials });
  const storedAfter = h.w.storeSize();
  const view = await h.w.runtime.logins.viewForBrowser(cookie, state);
  const code = view?.redirectTo ? new URL(view.redirectTo).searchParams.get('code') : null;
  return { answer, view, code, stored: storedAfter - storedBefore };
}

async function tokens(service: string, code: string) {
  const token = await h.postForm(`/services/${service}/token`, { grant_type: 'authorization_code', code, redirect_uri: BAE_CALLBACK });
  assert.equal(token.status, 200, JSON.stringify(token.json));
  const refreshed = await h.postForm(`/services/${service}/token`, { grant_type: 'refresh_token', refresh_token: String(token.json.refresh_token) });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
  return [claimsOf(token.json.access_token), claimsOf(refreshed.json.access_token)];
}

test('BAE login with a LEAR employee credential: its issuer is in the TIL for LEARCredentialEmployee', async () => {
  const { answer, code } = await login('bae', [h.employee]);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  const [access] = await tokens('bae', code!);
  assert.equal(access!.sub, h.user.did);
  assert.deepEqual((access!.verifiableCredential as { type: string[] }).type.includes('LEARCredentialEmployee'), true);
});

test('BAE login with a non-LEAR credential (FIWARE UserCredential with roles) from a did:key issuer the TIL lists: code, tokens with aud [bae], sub = holder, the credential as OPA reads it', async () => {
  const { answer, code } = await login('bae', [userCredential()]);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.ok(code, 'a code was issued');
  for (const claims of await tokens('bae', code)) {
    assert.deepEqual(claims.aud, ['bae']);
    assert.equal(claims.sub, h.user.did);
    assert.equal(claims.iss, h.w.issuer);
    assert.deepEqual(opaReadsRoles(claims), { issuer: h.fiwareIssuer.did, type: ['UserCredential'], roles: ROLES });
    assert.deepEqual(claims.vc, claims.verifiableCredential);
  }
});

for (const [rule, credential, code, status] of [
  ['from an issuer the TIL does not list', () => userCredential(newDidKey()), 'ERR_ISSUER_NOT_TRUSTED', 'is not a trusted issuer'],
  ['with a claim value the TIL does not allow (allowedValues on credentialSubject.email)', () => userCredential(h.restrictedIssuer), 'ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', 'email'],
  ['of a type the scope does not configure', () => fiwareUserCredential({ issuer: h.fiwareIssuer, holder: h.user.did, type: ['OtherCredential'], nowMs: h.w.clock.now() }), 'ERR_FIWARE_CREDENTIAL_TYPE_MISSING', 'no presented credential'],
] as const) {
  test(`a BAE wallet answer with a credential ${rule} is refused (400 invalid_request, ${code}), fails the login and issues no code`, async () => {
    const { answer, view, code: issued, stored } = await login('bae', [credential()]);
    assert.equal(answer.status, 400, JSON.stringify(answer.json));
    assert.equal(answer.json.error, 'invalid_request');
    assert.match(String(answer.json.error_description), new RegExp(status));
    assert.equal(view?.status, 'failed');
    assert.equal(view?.errorCode, code);
    assert.equal(issued, null, 'no code');
    assert.equal(stored, 1, "only the login's set-once outcome (failed); no code");
  });
}

test('H2M access tokens apply jwtInclusion.claimsToInclude as M2M does, on the code exchange and on every refresh', async () => {
  const { answer, code } = await login('bae-claims', [userCredential(h.fiwareIssuer, { email: 'jane@consumer.example' })]);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  for (const claims of await tokens('bae-claims', code!)) {
    assert.deepEqual(claims.aud, ['bae-claims']);
    assert.deepEqual(claims.verifiableCredential, { roles: ROLES, email: 'jane@consumer.example' });
    assert.deepEqual(claims.vc, claims.verifiableCredential);
    assert.equal(claims.roles, undefined, 'not flat');
  }
});

test('H2M access tokens apply flatClaims as M2M does: the included claims at the top level, on the code exchange and on every refresh', async () => {
  const { answer, code } = await login('bae-flat', [userCredential(h.fiwareIssuer, { email: 'jane@consumer.example' })]);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  for (const claims of await tokens('bae-flat', code!)) {
    assert.deepEqual(claims.roles, ROLES);
    assert.equal(claims.email, 'jane@consumer.example');
    assert.equal(claims.verifiableCredential, undefined);
    assert.equal(claims.sub, h.user.did);
  }
});
