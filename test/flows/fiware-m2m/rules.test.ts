/**
 * The FIWARE vp_token grant's rules, one test each (docs/fiware.md): what is accepted (DCQL maps,
 * token exchange, LEARCredentialMachine, several scopes, inclusion), and every refusal with its
 * exact status, OAuth `error`, `summary` code — and nothing issued or stored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';
import { signJws } from '@dome-verifier/core';
import { decodePart } from '../../support/world.ts';
import { base64urlNoPad, boundVpToken, dscVpToken, fiwareUserCredential, newDidKey } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

const REVOKED = '5b1c4a3e-0000-4000-8000-00000000abcd';
let w: FiwareWorld;
before(async () => {
  w = await createFiwareWorld(
    (til) => {
      const machine = { type: 'LEARCredentialMachine', trustedIssuersLists: [til], jwtInclusion: { fullInclusion: true } };
      const user = userScope(til).credentials as Array<Record<string, unknown>>;
      return [
        {
          id: 'data-service',
          defaultOidcScope: 'default',
          allowUnboundVp: true,
          oidcScopes: {
            default: userScope(til),
            machine: { credentials: [machine] },
            both: { credentials: [...user, machine] },
            operator: userScope(til, { holderVerification: { enabled: true, claim: 'id' } }),
            wildcard: userScope('*'.replace('*', til), { trustedIssuersLists: ['*'] }),
            claims: userScope(til, { jwtInclusion: { enabled: true, fullInclusion: false, claimsToInclude: [{ originalKey: 'credentialSubject.roles', newKey: 'roles' }, { originalKey: '$.issuer' }, { originalKey: 'credentialSubject.missing' }] } }),
            flat: { ...userScope(til, { jwtInclusion: { enabled: true, claimsToInclude: [{ originalKey: 'credentialSubject.email', newKey: 'email' }, { originalKey: 'issuer', newKey: 'iss' }] } }), flatClaims: true },
            'other-list': userScope(`${til}/other`),
            participants: userScope(til, { trustedParticipantsLists: [`${til}/tir`] }),
            status: userScope(til, { credentialStatus: { enabled: true, requireStatus: true } }),
          },
        },
        { id: 'strict-service', defaultOidcScope: 'default', oidcScopes: { default: userScope(til) } },
      ];
    },
    { revoked: [REVOKED] },
  );
});
after(() => w.close());

const userVc = (o: Partial<Parameters<typeof fiwareUserCredential>[0]> = {}) => fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now(), ...o });
const post = (form: Record<string, string>, path = '/services/data-service/token', headers: Record<string, string> = {}) => w.postForm(path, form, headers);

async function expectRefused(form: Record<string, string>, status: number, error: string, summary: string, path?: string, headers?: Record<string, string>) {
  const before = w.storeSize();
  const res = await post(form, path, headers);
  assert.equal(res.status, status, JSON.stringify(res.json));
  assert.equal(res.json.error, error, JSON.stringify(res.json));
  assert.equal(res.json.summary, summary, JSON.stringify(res.json));
  assert.equal(res.json.details, res.json.error_description);
  assert.equal(res.json.access_token, undefined, 'nothing issued');
  assert.equal(w.storeSize(), before, 'nothing stored');
  return res;
}

// --- accepted ------------------------------------------------------------------------------------

test('a LEARCredentialMachine (did:elsi, x5c chain to the trust anchors) presented by its machine is accepted', async () => {
  const vc = w.issue();
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.machine, vc), scope: 'machine' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const claims = decodePart(res.json.access_token as string);
  assert.deepEqual(claims.verifiableCredential, decodePart(vc).vc);
  assert.equal(claims.sub, w.machine.did);
});

test('several scopes (comma-separated) need all their types; several credentials become verifiablePresentation', async () => {
  const user = userVc();
  const machineVc = w.issue();
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.machine, [user, machineVc].join('","')), scope: 'default,machine' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.scope, 'default,machine');
  const claims = decodePart(res.json.access_token as string);
  assert.deepEqual(claims.verifiablePresentation, [decodePart(user).vc, decodePart(machineVc).vc]);
  assert.equal(claims.verifiableCredential, undefined);
  assert.deepEqual(claims.vc, decodePart(user).vc);
});

for (const [shape, encode] of [
  ['a raw DCQL map with a string value', (vp: string) => JSON.stringify({ 'user-query': vp })],
  ['a raw DCQL map with an array value (OID4VP 1.0)', (vp: string) => JSON.stringify({ 'user-query': [vp] })],
  ['base64url (no padding) of a DCQL map', (vp: string) => base64urlNoPad(JSON.stringify({ 'user-query': vp }))],
  ['a DCQL map whose value is base64url of the VP JWT', (vp: string) => JSON.stringify({ 'user-query': base64urlNoPad(vp) })],
] as const) {
  test(`vp_token as ${shape} is accepted`, async () => {
    const res = await post({ grant_type: 'vp_token', vp_token: encode(dscVpToken(w.holder, userVc())) });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
}

test('a VP JWT without a string vp.holder takes its holder from iss (VCVerifier answers 500)', async () => {
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: w.holder.did }, { iss: w.holder.did, vp: { type: ['VerifiablePresentation'], verifiableCredential: [userVc()] } }, w.holder.privateKey);
  const res = await post({ grant_type: 'vp_token', vp_token: vp });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(decodePart(res.json.access_token as string).sub, w.holder.did);
});

test('token exchange: /token with resource = the service id, subject_token_type urn:eu:oidf:vp_token', async () => {
  const res = await post(
    { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', resource: 'data-service', subject_token_type: 'urn:eu:oidf:vp_token', requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', subject_token: dscVpToken(w.holder, userVc()), scope: 'default', audience: 'ignored' },
    '/token',
  );
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
  assert.deepEqual(decodePart(res.json.access_token as string).aud, ['data-service']);
});

test('token exchange on /services/{id}/token takes the path service (resource not read)', async () => {
  const res = await post({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', resource: 'nope', subject_token_type: 'urn:eu:oidf:vp_token', subject_token: dscVpToken(w.holder, userVc()) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
});

test('trustedIssuersLists ["*"] skips the issuer check for that type', async () => {
  const stranger = newDidKey();
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: stranger, nowMs: w.clock.now() })), scope: 'wildcard' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
});

test('claimsToInclude copies dot paths and $-paths to newKey; unresolved paths are skipped', async () => {
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'claims' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(decodePart(res.json.access_token as string).verifiableCredential, { roles: [{ names: ['OPERATOR'], target: 'did:web:provider.example' }], issuer: w.fiwareIssuer.did });
});

test('flatClaims puts the included members at the top level, never over a standard claim', async () => {
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'flat' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  const claims = decodePart(res.json.access_token as string);
  assert.equal(claims.email, 'test@consumer.example');
  assert.equal(claims.iss, w.issuer, 'a credential member named iss does not replace the token issuer');
  assert.equal(claims.verifiableCredential, undefined);
});

test('holderVerification: credentialSubject.<claim> naming the holder is accepted', async () => {
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc({ holder: w.holder.did })), scope: 'operator' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
});

// --- refused: trust and credential rules ------------------------------------------------------

test('untrusted issuer: a did:key issuer no trusted issuers list knows', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: newDidKey(), nowMs: w.clock.now() })) }, 400, 'invalid_grant', 'ERR_ISSUER_NOT_TRUSTED');
});

test('untrusted issuer: the list the scope names does not know the issuer', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'other-list' }, 400, 'invalid_grant', 'ERR_ISSUER_NOT_TRUSTED');
});

test('an issuer trusted for other credential types only is refused for this one', async () => {
  const other = newDidKey();
  const validFor = { from: new Date(w.clock.now() - 86_400_000).toISOString(), to: new Date(w.clock.now() + 86_400_000).toISOString() };
  w.til.serve(`/v4/issuers/${other.did}`, { body: JSON.stringify(tirIssuerDocument(other.did, ['OtherCredential'], validFor)), contentType: 'application/json' });
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: other, nowMs: w.clock.now() })) }, 400, 'invalid_grant', 'ERR_ISSUER_TYPE_NOT_ALLOWED');
});

test('untrusted participant: the issuer is in no trustedParticipantsLists', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'participants' }, 400, 'invalid_grant', 'ERR_PARTICIPANT_NOT_TRUSTED');
});

test('missing required type: a scope needing UserCredential and LEARCredentialMachine, given only one', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'both' }, 400, 'invalid_grant', 'ERR_FIWARE_CREDENTIAL_TYPE_MISSING');
});

test('holder mismatch: holderVerification claim names another DID', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc({ holder: newDidKey().did })), scope: 'operator' }, 400, 'invalid_grant', 'ERR_FIWARE_HOLDER_MISMATCH');
});

test('holder mismatch: a credential with cnf.jwk presented by another key', async () => {
  const other = newDidKey();
  const cnfVc = userVc({ cnf: { jwk: { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0' } } });
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(other, cnfVc) }, 400, 'invalid_grant', 'ERR_HOLDER_BINDING');
});

test('revoked: a credential on the trust framework revoked list', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.machine, w.issue({ id: `urn:uuid:${REVOKED}` })), scope: 'machine' }, 400, 'invalid_grant', 'ERR_VC_REVOKED');
});

test('credentialStatus.requireStatus: a credential without a status entry is refused', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'status' }, 400, 'invalid_grant', 'ERR_FIWARE_CREDENTIAL_STATUS_MISSING');
});

test('expired VC (VCVerifier does not check it)', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc({ expiresIn: -3600 })) }, 400, 'invalid_grant', 'ERR_VC_EXPIRED');
});

test('expired VP: an exp the VP carries is enforced even with allowUnboundVp', async () => {
  const iat = Math.floor(w.clock.now() / 1000) - 3600;
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: w.holder.did }, { iss: w.holder.did, iat, exp: iat + 60, vp: { holder: w.holder.did, verifiableCredential: [userVc()] } }, w.holder.privateKey);
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_VP_EXPIRED');
});

test('a tampered credential fails its issuer signature', async () => {
  const [h, p, s] = userVc().split('.');
  const payload = JSON.parse(Buffer.from(p!, 'base64url').toString()) as { vc: { credentialSubject: { roles: unknown } } };
  payload.vc.credentialSubject.roles = [{ names: ['ADMIN'], target: 'did:web:provider.example' }];
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, forged) }, 400, 'invalid_grant', 'ERR_VC_SIGNATURE');
});

test('a VP signed by another key than its holder DID', async () => {
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: w.holder.did }, { iss: w.holder.did, vp: { holder: w.holder.did, verifiableCredential: [userVc()] } }, newDidKey().privateKey);
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_VP_SIGNATURE');
});

test('a VP whose holder is not its signer', async () => {
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: w.holder.did }, { iss: w.holder.did, vp: { holder: newDidKey().did, verifiableCredential: [userVc()] } }, w.holder.privateKey);
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_HOLDER_BINDING');
});

// --- refused: service and scope ------------------------------------------------------------------

test('wrong service: an unknown service id in the path', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()) }, 400, 'invalid_request', 'ERR_FIWARE_SERVICE_UNKNOWN', '/services/no-such-service/token');
});

test('wrong service: /token without the client_id header', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), client_id: 'data-service' }, 400, 'invalid_request', 'ERR_FIWARE_SERVICE_UNKNOWN', '/token');
});

test('token exchange on /token without resource', async () => {
  await expectRefused({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:eu:oidf:vp_token', subject_token: dscVpToken(w.holder, userVc()) }, 400, 'invalid_request', 'ERR_FIWARE_SERVICE_UNKNOWN', '/token');
});

test('token exchange with another subject_token_type', async () => {
  await expectRefused({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', subject_token: dscVpToken(w.holder, userVc()) }, 400, 'invalid_request', 'ERR_FIWARE_SUBJECT_TOKEN_TYPE');
});

test('a scope the service does not have (a space-separated name is split only when every part is a scope)', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()), scope: 'default nope' }, 400, 'invalid_scope', 'ERR_FIWARE_SCOPE_UNKNOWN');
});

test('grant_type missing / unsupported', async () => {
  await expectRefused({ vp_token: 'x' }, 400, 'invalid_request', 'ERR_REQUEST_MISSING_PARAMETER');
  await expectRefused({ grant_type: 'client_credentials' }, 400, 'unsupported_grant_type', 'ERR_GRANT_TYPE_UNSUPPORTED');
});

// --- refused: binding (allowUnboundVp false) and replay -------------------------------------------

test('strict service: a VP JWT without aud, nonce and exp is refused (the DSC script needs allowUnboundVp)', async () => {
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, userVc()) }, 400, 'invalid_grant', 'ERR_FIWARE_VP_UNBOUND', '/services/strict-service/token');
});

test('strict service: a bound VP (aud = this verifier or the service token endpoint) is accepted once; its replay is refused', async () => {
  for (const aud of [w.issuer, `${w.issuer}/services/strict-service/token`]) {
    const vp = boundVpToken(w.holder, [userVc()], { aud, nowMs: w.clock.now() });
    const before = w.storeSize();
    const first = await post({ grant_type: 'vp_token', vp_token: vp }, '/services/strict-service/token');
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal(decodePart(first.json.access_token as string).nonce, decodePart(vp).nonce, 'the token echoes the VP nonce');
    assert.equal(w.storeSize(), before + 1, 'the nonce is remembered');
    await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_FIWARE_VP_REPLAYED', '/services/strict-service/token');
  }
});

test('strict service: a VP for another audience', async () => {
  const vp = boundVpToken(w.holder, [userVc()], { aud: 'https://other-verifier.example', nowMs: w.clock.now() });
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_VP_AUDIENCE', '/services/strict-service/token');
});

test('strict service: a VP valid for more than 10 minutes', async () => {
  const vp = boundVpToken(w.holder, [userVc()], { aud: w.issuer, nowMs: w.clock.now(), expiresIn: 3600 });
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_FIWARE_VP_LIFETIME', '/services/strict-service/token');
});

test('a refused bound VP leaves its nonce unused (nothing stored on rejection)', async () => {
  const vp = boundVpToken(w.holder, [userVc({ expiresIn: -3600 })], { aud: w.issuer, nowMs: w.clock.now() });
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_VC_EXPIRED', '/services/strict-service/token');
});

// --- refused: encodings ---------------------------------------------------------------------------

test('bad encodings: padded or standard base64, garbage, non-string map values, nested maps, too many entries', async () => {
  const vp = dscVpToken(w.holder, userVc());
  const padded = Buffer.from(vp).toString('base64url') + '=';
  const standard = Buffer.from(`${vp}??>>`).toString('base64');
  for (const bad of [padded, standard, 'not a token', JSON.stringify({ q: 42 }), JSON.stringify({ q: [] }), JSON.stringify({ q: JSON.stringify({ r: vp }) }), JSON.stringify(Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`q${i}`, vp])))]) {
    await expectRefused({ grant_type: 'vp_token', vp_token: bad }, 400, 'invalid_request', 'ERR_FIWARE_VP_TOKEN_ENCODING');
  }
  await expectRefused({ grant_type: 'vp_token' }, 400, 'invalid_request', 'ERR_REQUEST_MISSING_PARAMETER');
});

test('unverifiable presentations are refused, not accepted and not a 500: JSON-LD VPs and JSON-LD VCs inside a VP JWT', async () => {
  const jsonLdVc = { '@context': ['https://www.w3.org/2018/credentials/v1'], type: ['VerifiableCredential', 'UserCredential'], issuer: w.fiwareIssuer.did, credentialSubject: { roles: [] } };
  await expectRefused({ grant_type: 'vp_token', vp_token: base64urlNoPad(JSON.stringify({ type: ['VerifiablePresentation'], holder: w.holder.did, verifiableCredential: [jsonLdVc] })) }, 400, 'invalid_grant', 'ERR_FIWARE_PRESENTATION_UNVERIFIABLE');
  const vp = signJws({ alg: 'ES256', typ: 'JWT', kid: w.holder.did }, { iss: w.holder.did, vp: { holder: w.holder.did, verifiableCredential: [jsonLdVc] } }, w.holder.privateKey);
  await expectRefused({ grant_type: 'vp_token', vp_token: vp }, 400, 'invalid_grant', 'ERR_FIWARE_PRESENTATION_UNVERIFIABLE');
});

test('disallowed claim value: the TIL attribute restricts credentialSubject.email (allowedValues), ORed over attributes', async () => {
  const restricted = newDidKey();
  const validFor = { from: new Date(w.clock.now() - 86_400_000).toISOString(), to: new Date(w.clock.now() + 86_400_000).toISOString() };
  const attribute = (allowed: string[]) => ({ body: Buffer.from(JSON.stringify({ validFor, credentialsType: 'UserCredential', claims: [{ path: '$.email', allowedValues: allowed }] })).toString('base64') });
  w.til.serve(`/v4/issuers/${restricted.did}`, { body: JSON.stringify({ did: restricted.did, attributes: [attribute(['someone@consumer.example'])] }), contentType: 'application/json' });
  await expectRefused({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: restricted, nowMs: w.clock.now() })) }, 400, 'invalid_grant', 'ERR_CREDENTIAL_CLAIM_NOT_ALLOWED');
  const admitted = newDidKey();
  w.til.serve(`/v4/issuers/${admitted.did}`, { body: JSON.stringify({ did: admitted.did, attributes: [attribute(['someone@consumer.example']), attribute(['test@consumer.example'])] }), contentType: 'application/json' });
  const res = await post({ grant_type: 'vp_token', vp_token: dscVpToken(w.holder, fiwareUserCredential({ issuer: admitted, nowMs: w.clock.now() })) });
  assert.equal(res.status, 200, JSON.stringify(res.json));
});
