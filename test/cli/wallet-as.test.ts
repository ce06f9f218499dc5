/**
 * `dome-verifier wallet --as pwa|wallet-api` against the real server (a listening test world):
 * the CLI answers a login's openid4vp request as either DOME wallet — `wallet-api` (default, the
 * deployed wallet: base64url VP JWT, aud https://self-issued.me/v2) with a legacy credential,
 * `pwa` (dome-wallet-pwa.md §4: standard base64 of the DCQL map, header jwk + thumbprint kid,
 * aud = client_id; an SD-JWT VC with a KB-JWT) with a VCDM 2.0 JWT VC and with an SD-JWT VC —
 * and the browser of the login then receives its code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { issueSdJwtVc, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { runCli } from '../../packages/cli/src/testing.ts';
import { createWorld, ISSUER_DID, newMachine, ORG, TYPES, type World } from '../support/world.ts';
import { browserRedirect, startLogin } from '../support/h2m.ts';

const CB = 'https://rp.example/callback';
const W3C = 'learcredential.employee.w3c.4';
const SD = 'learcredential.employee.sd.1';

describe('the CLI test wallet answers as either DOME wallet (wallet --as)', () => {
  let w: World;
  let dir = '';
  let keyFile = '';
  const rp = newMachine();
  const user = newMachine();
  const mandatee = { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' };

  before(async () => {
    w = await createWorld({
      listen: true,
      til: { [ISSUER_DID]: { types: [...TYPES, W3C, SD] } },
      clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })],
    });
    dir = await mkdtemp(join(tmpdir(), 'dv-wallet-as-'));
    keyFile = join(dir, 'holder.jwk');
    await writeFile(keyFile, JSON.stringify(user.privateKey.export({ format: 'jwk' })), { mode: 0o600 });
  });
  after(() => w.close());

  const start = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: crypto.randomUUID(), nonce: 'n' });
  async function credentialFile(name: string, content: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  }
  const sdJwt = () =>
    issueSdJwtVc({ seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, holderJwk: user.publicJwk, mandatee, validFrom: new Date(w.clock.now() - 3_600_000), validUntil: new Date(w.clock.now() + 86_400_000) }).sdJwt;

  for (const c of [
    { as: 'pwa', what: 'a VCDM 2.0 JWT VC', credential: () => w.issue({ kind: 'employee', format: 'w3c-v2', mandatee }) },
    { as: 'pwa', what: 'an SD-JWT VC (KB-JWT)', credential: sdJwt },
    { as: 'wallet-api', what: 'a legacy LEARCredentialEmployee', credential: () => w.issue({ kind: 'employee', mandatee }) },
  ]) {
    test(`--as ${c.as} with ${c.what} completes the login`, async () => {
      const login = await start();
      const file = await credentialFile(`${c.as}-${crypto.randomUUID()}.txt`, c.credential());
      const r = await runCli(['wallet', '--as', c.as, '--key', keyFile, '--credential', file, login.authRequest]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json().status, 200, r.stdout);
      assert.equal(r.json().client_id, w.runtime.identity.did);
      assert.ok(await browserRedirect(w, login), 'the browser is sent to the RP with a code');
      assert.doesNotMatch(r.stdout + r.stderr, /eyJ/, 'neither the credential nor the VP is printed');
    });
  }

  test('without --as the CLI answers as the deployed wallet (wallet-api), as before', async () => {
    const login = await start();
    const file = await credentialFile('legacy-default.txt', w.issue({ kind: 'employee', mandatee }));
    const r = await runCli(['wallet', '--key', keyFile, '--credential', file, login.authRequest]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json().status, 200);
  });

  test('--as pwa holding no credential the request asks for posts nothing and fails with a clear message; the login stays open', async () => {
    const login = await start();
    const file = await credentialFile('legacy-for-pwa.txt', w.issue({ kind: 'employee', mandatee }));
    const r = await runCli(['wallet', '--as', 'pwa', '--key', keyFile, '--credential', file, login.authRequest]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no credential matches the request's dcql_query/);
    assert.equal(await browserRedirect(w, login), undefined);
  });

  test('--as with an unknown wallet is a usage error', async () => {
    const login = await start();
    const r = await runCli(['wallet', '--as', 'keycloak', '--key', keyFile, '--credential', keyFile, login.authRequest]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Allowed choices are wallet-api, pwa/);
  });
});
