/**
 * did:web through the real Fetcher against a loopback HTTP server: the SSRF guard refuses a
 * did:web of a loopback host unless the Fetcher is built with `allowInsecure` and the driver
 * with `allowHttp` (tests and development only); the size cap and the timeout are the Fetcher's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { createFetcher } from '../http/create-fetcher.ts';
import { exportPublicJwk } from '../jose/keys.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { createDidResolver } from './resolver.ts';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
let server: Server;
let did: string;
const sockets = new Set<Socket>();
let mode: 'ok' | 'huge' | 'hang' = 'ok';

before(async () => {
  server = createServer((req, res) => {
    if (mode === 'hang') return;
    if (req.url !== '/org/acme/did.json') return void res.writeHead(404).end();
    const body = mode === 'huge'
      ? JSON.stringify({ id: did, pad: 'x'.repeat(100_000) })
      : JSON.stringify({ id: did, verificationMethod: [{ id: `${did}#k1`, type: 'JsonWebKey2020', controller: did, publicKeyJwk: exportPublicJwk(publicKey) }] });
    res.writeHead(200, { 'content-type': 'application/did+json' }).end(body);
  });
  server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  did = `did:web:127.0.0.1%3A${(server.address() as AddressInfo).port}:org:acme`;
});
after(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const failsWith = (code: string) => (e: unknown) => e instanceof VerifierError && e.code === code && e.status === 401;

describe('did:web over a real socket', () => {
  test('resolves from a loopback server only with allowInsecure (Fetcher) and allowHttp (driver)', async () => {
    mode = 'ok';
    const fetch = createFetcher({ allowInsecure: true });
    try {
      const k = await createDidResolver({ web: { fetch, allowHttp: true } }).resolveKey(`${did}#k1`);
      assert.deepEqual(exportPublicJwk(k.key), exportPublicJwk(publicKey));
    } finally {
      fetch.close();
    }
  });

  test('the production Fetcher refuses a loopback did:web (https to 127.0.0.1 is blocked)', async () => {
    const fetch = createFetcher({ allowInsecure: false });
    try {
      await assert.rejects(createDidResolver({ web: { fetch } }).resolveKey(`${did}#k1`), failsWith('ERR_DID_RESOLUTION_FAILED'));
      // allowHttp alone does not open it either: the guard refuses http for untrusted URLs
      await assert.rejects(createDidResolver({ web: { fetch, allowHttp: true } }).resolveKey(`${did}#k1`), failsWith('ERR_DID_RESOLUTION_FAILED'));
    } finally {
      fetch.close();
    }
  });

  test('a document above the size cap and a host that never answers fail within bounds', async () => {
    const fetch = createFetcher({ allowInsecure: true });
    try {
      mode = 'huge';
      await assert.rejects(createDidResolver({ web: { fetch, allowHttp: true, maxDocumentBytes: 16_384 } }).resolveKey(did), failsWith('ERR_DID_RESOLUTION_FAILED'));
      mode = 'hang';
      const started = Date.now();
      await assert.rejects(createDidResolver({ web: { fetch, allowHttp: true, timeoutMs: 300 } }).resolveKey(did), failsWith('ERR_DID_RESOLUTION_FAILED'));
      assert.ok(Date.now() - started < 5_000);
    } finally {
      mode = 'ok';
      fetch.close();
    }
  });
});
