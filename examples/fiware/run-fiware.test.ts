/**
 * `npm run example:fiware` end to end: the quickstart starts the verifier with a FIWARE service
 * (allowUnboundVp) and a loopback trust list, gets a token as the DSC helper script does, and the
 * token is what a FIWARE data service's gateway expects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { runFiwareExample } from './run-fiware.ts';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test('example:fiware obtains a FIWARE access token for data-service the way the DSC script does', async () => {
  const r = await runFiwareExample({ port: await freePort() });
  assert.equal(r.tokenResponse.token_type, 'Bearer');
  assert.equal(r.tokenResponse.id_token, r.tokenResponse.access_token);
  assert.equal(r.header.alg, 'ES256');
  assert.equal(r.claims.iss, r.issuer);
  assert.deepEqual(r.claims.aud, ['data-service']);
  const vc = r.claims.verifiableCredential as { type: string[]; credentialSubject: { roles: unknown } };
  assert.deepEqual(vc.type, ['UserCredential']);
  assert.deepEqual(vc.credentialSubject.roles, [{ names: ['OPERATOR'], target: 'did:web:provider.example' }]);
});
