/**
 * VCDM 2.0 ("bumped") LEARCredentialMachine (`learcredential.machine.w3c.3`) at the token
 * endpoint, beside the legacy shapes (issue #10 §4–§6): claims at the JWT root, `typ` `vc+jwt`,
 * `@context` v2, `cnf.jwk`, holder = `mandate.mandatee.id`; the EUDISTACK-145 dual-read gate per
 * trust framework (410 legacy_format_sunset_closed / 503 bumped_format_temporarily_disabled as
 * problem+json); revocation by W3C Bitstring Status List (multibase `u` and DOME's un-prefixed
 * encoding) and by IETF Token Status List (IETF ZLIB/LSB and IN2 GZIP/MSB encodings), fail
 * closed; the access token's `vc` object and `credential_type`/`tenant` claims. Every negative
 * case differs from the accepted twin in one property.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { signJws } from '@dome-verifier/core';
import { issueTokenStatusList, x5cOf, type IssueOptions } from '@dome-verifier/dev-issuer';
import { createWorld, decodePart, ISSUER_DID, machineClientEntry, newMachine, TYPES, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

const MACHINE_W3C = 'learcredential.machine.w3c.3';
const TIL = { [ISSUER_DID]: { types: [...TYPES, MACHINE_W3C] } };

describe('VCDM 2.0 LEARCredentialMachine (learcredential.machine.w3c.3) at the token endpoint', () => {
  let w: World;
  const tenantMachine = newMachine();
  before(async () => {
    w = await createWorld({ til: TIL, clients: [machineClientEntry(tenantMachine.did, { tenant: 'acme' })] });
  });
  after(() => w.close());

  const v2 = (o: Partial<IssueOptions> & { holder?: ReturnType<typeof newMachine> } = {}) => w.issue({ format: 'w3c-v2', ...o });
  const token = async (credential: string, holder = w.machine) => w.post((await w.tokenRequest({ credential, holder })).body);

  test('is accepted; the access token vc is the VCDM 2.0 credential object (no JWT envelope claims), sub = mandatee, credential_type = the type', async () => {
    const res = await token(v2());
    assert.equal(res.status, 200, JSON.stringify(res.json));
    const at = decodePart(String(res.json.access_token));
    assert.equal(at.sub, w.machine.did);
    assert.equal(at.credential_type, MACHINE_W3C);
    assert.equal(at.tenant, undefined, 'no tenant for a client configured without one');
    const vc = at.vc as Record<string, any>;
    assert.equal(typeof vc, 'object');
    assert.deepEqual(vc.type, ['VerifiableCredential', MACHINE_W3C]);
    assert.equal(vc.credentialSubject.mandate.mandatee.id, w.machine.did);
    assert.equal(vc.credentialSubject.mandate.mandator.organizationIdentifier, 'VATES-T0000001');
    assert.ok(Array.isArray(vc.credentialSubject.mandate.power));
    for (const k of ['iss', 'sub', 'nbf', 'exp', 'iat', 'jti']) assert.equal(vc[k], undefined, `no JWT claim ${k} in vc`);
    assert.equal(vc.validUntil !== undefined && vc['@context'][0], 'https://www.w3.org/ns/credentials/v2');
  });

  test('legacy credentials keep working beside it, with credential_type LEARCredentialMachine', async () => {
    const res = await token(w.issue());
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(decodePart(String(res.json.access_token)).credential_type, 'LEARCredentialMachine');
  });

  test('a client configured with a tenant gets it in its access token', async () => {
    const res = await token(v2({ holder: tenantMachine }), tenantMachine);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(decodePart(String(res.json.access_token)).tenant, 'acme');
  });

  const envelope = [
    ['JWS typ JWT instead of vc+jwt', { transform: ({ header }) => void (header.typ = 'JWT') }, /typ must be vc\+jwt/],
    ['its claims wrapped in a vc claim', { transform: ({ payload }) => void (payload.vc = { type: payload.type, credentialSubject: payload.credentialSubject }) }, /at the JWT root/],
    ['the VCDM 1.1 @context', { context: ['https://www.w3.org/2018/credentials/v1'] }, /@context must begin with/],
    ['no cnf.jwk', { transform: ({ payload }) => void delete payload.cnf }, /no cnf\.jwk/],
  ] as const satisfies ReadonlyArray<readonly [string, Partial<IssueOptions>, RegExp]>;
  for (const [what, o, description] of envelope) {
    test(`a VCDM 2.0 credential with ${what} is refused (ERR_VC_ENVELOPE, 401 invalid_client)`, async () => {
      await expectRejected(w, token(v2(o)), 401, 'invalid_client', description);
    });
  }

  test('the holder is mandate.mandatee.id: a root sub naming another holder is refused (ERR_HOLDER_BINDING)', async () => {
    const other = newMachine().did;
    await expectRejected(w, token(v2({ transform: ({ payload }) => void (payload.sub = other) })), 401, 'invalid_client', /sub names another holder/);
  });

  test('credentialSubject.id is a urn:uuid of the subject record, not the holder: a credential without root sub is accepted', async () => {
    const res = await token(v2({ transform: ({ payload }) => void delete payload.sub }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(decodePart(String(res.json.access_token)).sub, w.machine.did);
  });

  test('a VCDM 2.0 credential presented by another key than its cnf.jwk is refused', async () => {
    const thief = newMachine();
    await expectRejected(w, token(v2({ cnfJwk: thief.publicJwk }), w.machine), 401, 'invalid_client', /cnf\.jwk/);
  });
});

describe('TIL credentialsType for the new type names (exact match, as IN2 V3)', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ til: { [ISSUER_DID]: { types: TYPES } } });
  });
  after(() => w.close());

  test('an issuer trusted for LEARCredentialMachine only is not trusted for learcredential.machine.w3c.3', async () => {
    await expectRejected(w, w.post((await w.tokenRequest({ credential: w.issue({ format: 'w3c-v2' }) })).body), 401, 'invalid_client', /not trusted for this credential type/);
  });
});

describe('EUDISTACK-145 dual-read switches per trust framework', () => {
  const worlds: World[] = [];
  after(() => Promise.all(worlds.map((x) => x.close())));
  const world = async (env: Record<string, string>) => {
    const w = await createWorld({ til: TIL, env });
    worlds.push(w);
    return w;
  };

  test('legacyReadEnabled=false: a legacy credential gets 410 legacy_format_sunset_closed as problem+json; a VCDM 2.0 one is accepted', async () => {
    const w = await world({ VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_LEGACYREADENABLED: 'false' });
    const res = await expectRejected(w, w.post((await w.tokenRequest()).body), 410, 'legacy_format_sunset_closed', /LEARCredentialMachine is no longer accepted/);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json.status, 410);
    assert.equal(res.json.type, 'urn:dome-verifier:error:legacy_format_sunset_closed');
    assert.equal(res.json.detail, res.json.error_description);
    assert.equal((await w.post((await w.tokenRequest({ credential: w.issue({ format: 'w3c-v2' }) })).body)).status, 200);
  });

  test('bumpedReadEnabled=false: a VCDM 2.0 credential gets 503 bumped_format_temporarily_disabled as problem+json; a legacy one is accepted', async () => {
    const w = await world({ VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_BUMPEDREADENABLED: 'false' });
    const res = await expectRejected(w, w.post((await w.tokenRequest({ credential: w.issue({ format: 'w3c-v2' }) })).body), 503, 'bumped_format_temporarily_disabled', /learcredential\.machine\.w3c\.3 is temporarily disabled/);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.headers['retry-after'], '5', 'a temporarily disabled family says when to retry');
    assert.equal((await w.post((await w.tokenRequest()).body)).status, 200);
  });
});

describe('revocation of VCDM 2.0 credentials', () => {
  let w: World;
  let server: Server;
  let base = '';
  let down = false;
  const lists = new Map<string, { body: string; type: string }>();

  before(async () => {
    w = await createWorld({ til: TIL, env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' } });
    server = createServer((req, res) => {
      const l = lists.get(req.url ?? '');
      if (down) return void res.writeHead(503).end();
      if (!l) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': l.type }).end(l.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const p = w.pki;
    const bits = Buffer.alloc(16_384);
    bits[0] = 0x01; // index 7 set (MSB-first)
    const gz = gzipSync(bits).toString('base64url');
    const bitstring = (encodedList: string) =>
      signJws(
        { alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(p.seal, p.intermediate) },
        {
          '@context': ['https://www.w3.org/ns/credentials/v2'],
          type: ['VerifiableCredential', 'BitstringStatusListCredential'],
          iss: ISSUER_DID,
          issuer: ISSUER_DID,
          validFrom: new Date(w.clock.now() - 3_600_000).toISOString(),
          credentialSubject: { id: `${base}/w3c#list`, type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList },
        },
        p.seal.privateKey,
      );
    lists.set('/w3c', { body: bitstring(`u${gz}`), type: 'application/vc+jwt' });
    lists.set('/dome', { body: bitstring(gz), type: 'application/vc+jwt' });
    for (const encoding of ['ietf', 'in2'] as const) {
      const uri = `${base}/tsl-${encoding}`;
      const body = issueTokenStatusList({ uri, bits: 1, encoding, statuses: [0, 0, 0, 1], seal: p.seal, chain: [p.intermediate], organizationIdentifier: 'VATES-T0000001', iat: new Date(w.clock.now() - 60_000) });
      lists.set(`/tsl-${encoding}`, { body, type: 'application/statuslist+jwt' });
    }
  });
  after(async () => {
    await w.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const bitstringEntry = (path: string, index: number) => ({
    id: `${base}${path}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: `${base}${path}`,
  });
  const withStatus = async (o: Partial<IssueOptions>) => w.post((await w.tokenRequest({ credential: w.issue({ format: 'w3c-v2', ...o }) })).body);
  const tokenStatus = (encoding: string, idx: number): Partial<IssueOptions> => ({ transform: ({ payload }) => void (payload.status = { status_list: { uri: `${base}/tsl-${encoding}`, idx } }) });

  for (const [name, path] of [['W3C Bitstring Status List v1.0 (multibase u prefix)', '/w3c'], ["DOME's current encoding (no multibase prefix)", '/dome']] as const) {
    test(`${name}: the set bit is revoked (ERR_VC_REVOKED), a clear bit is valid`, async () => {
      await expectRejected(w, withStatus({ credentialStatus: bitstringEntry(path, 7) }), 401, 'invalid_client', /credential is revoked/);
      assert.equal((await withStatus({ credentialStatus: bitstringEntry(path, 6) })).status, 200);
    });
  }

  for (const encoding of ['ietf', 'in2'] as const) {
    test(`Token Status List status.status_list (${encoding === 'ietf' ? 'IETF ZLIB, LSB first' : 'IN2 GZIP, MSB first'}): status 1 is revoked, status 0 valid`, async () => {
      await expectRejected(w, withStatus(tokenStatus(encoding, 3)), 401, 'invalid_client', /revoked \(token status list\)/);
      assert.equal((await withStatus(tokenStatus(encoding, 2))).status, 200);
    });
  }

  test('a credentialStatus of type TokenStatusListEntry is checked against the Token Status List too', async () => {
    const entry = (idx: number) => ({ type: 'TokenStatusListEntry', statusPurpose: 'revocation', statusListCredential: `${base}/tsl-in2`, statusListIndex: idx });
    await expectRejected(w, withStatus({ credentialStatus: entry(3) }), 401, 'invalid_client', /revoked \(token status list\)/);
    assert.equal((await withStatus({ credentialStatus: entry(0) })).status, 200);
  });

  test('credentialStatus as an array (VCDM 2.0): every entry is checked — one revoked entry revokes', async () => {
    const valid = bitstringEntry('/w3c', 6);
    await expectRejected(w, withStatus({ credentialStatus: [valid, bitstringEntry('/dome', 7)] }), 401, 'invalid_client', /credential is revoked/);
    assert.equal((await withStatus({ credentialStatus: [valid, bitstringEntry('/dome', 6)] })).status, 200);
  });

  test('a credentialStatus that is neither an entry nor a list of entries is refused (ERR_VC_MALFORMED), not skipped', async () => {
    for (const credentialStatus of ['https://status.example/1#7', [bitstringEntry('/w3c', 6), 'x'], []]) {
      await expectRejected(w, withStatus({ credentialStatus }), 401, 'invalid_client', /credentialStatus that is not an entry/);
    }
  });

  test('a malformed status.status_list reference is refused (ERR_STATUS_LIST_INVALID), not skipped', async () => {
    await expectRejected(w, withStatus({ transform: ({ payload }) => void (payload.status = { status_list: { uri: `${base}/tsl-in2`, idx: -1 } }) }), 401, 'invalid_client', /no valid idx/);
  });

  test('unavailable lists fail closed with 503 (Bitstring and Token Status List)', async () => {
    w.clock.advance(3_600_000);
    down = true;
    try {
      await expectRejected(w, withStatus({ credentialStatus: bitstringEntry('/w3c', 6) }), 503, 'temporarily_unavailable', /status list is unavailable/);
      await expectRejected(w, withStatus(tokenStatus('ietf', 2)), 503, 'temporarily_unavailable', /token status list is unavailable/);
    } finally {
      down = false;
    }
  });
});
