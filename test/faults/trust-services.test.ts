/**
 * Fault injection, trust services (issue #9 section 5): every trust service the token endpoint
 * depends on — the Trusted Issuers List, the revoked credential list, the status list, and the
 * Trusted Services List refresh — served by the loopback trust-service stub and switched into
 * each failure mode (500, 503, 429, hang, slow, drip, empty, keyless, garbage, huge, deep).
 *
 * - An unusable dependency fails closed: 503 `temporarily_unavailable` with Retry-After, no
 *   token, nothing stored — never a 200 for a revoked credential, never another 5xx — and the
 *   answer comes within 5 s (the outbound timeout is 1 s; a hang would be forever).
 * - Once the stub answers again the verdict is the real one: the revoked credential is refused
 *   as revoked (so the 503 was not a lucky guess), a clean credential gets its token.
 * - A failing Trusted Services List refresh keeps the last good list (clients keep getting
 *   tokens, the refresh returns within a bounded time); a good refresh afterwards is applied.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { signJws } from '@dome-verifier/core';
import { x5cOf } from '@dome-verifier/dev-issuer';
import { createWorld, ISSUER_DID, machineClientEntry, newMachine, TRUST_PATHS, type World } from '../support/world.ts';
import { expectRejected } from '../support/expect.ts';
import { STUB_MODES, type StubMode } from '../support/trust-service-stub.ts';

const FAILURES = STUB_MODES.filter((m) => m !== 'ok');
const REVOKED_ID = 'urn:uuid:6f0f4b7e-2f7c-4a43-9d8b-3c8b0e1d2a55';
const STATUS_PATH = '/status/1';
const TTL_ENV = {
  VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true', // the status list lives on the loopback stub
  VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '60',
  VERIFIER_BACKEND_CACHE_REVOKEDLISTTTLSECONDS: '60',
  VERIFIER_BACKEND_CACHE_STATUSLISTTTLSECONDS: '60',
};
/** Past every cache, grace period and negative cache. */
const PAST_CACHES_MS = 10 * 60_000;

function statusListJwt(w: World, revokedIndexes: number[]): string {
  const bits = Buffer.alloc(16_384);
  for (const i of revokedIndexes) bits[i >> 3]! |= 0x80 >> (i & 7);
  const claims = { iss: ISSUER_DID, issuer: ISSUER_DID, type: ['VerifiableCredential', 'BitstringStatusListCredential'], credentialSubject: { type: 'BitstringStatusList', statusPurpose: 'revocation', encodedList: `u${gzipSync(bits).toString('base64url')}` } };
  return signJws({ alg: 'RS256', typ: 'vc+jwt', x5c: x5cOf(w.pki.seal, w.pki.intermediate) }, claims, w.pki.seal.privateKey);
}

const statusEntry = (w: World, index: number) => ({ id: `${w.stub!.url(STATUS_PATH)}#${index}`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: String(index), statusListCredential: w.stub!.url(STATUS_PATH) });

/** 200 answers whose content is unusable; a status list (a URL the credential names) may also be judged 401. */
const CONTENT_MODES: readonly string[] = ['empty', 'keyless', 'garbage', 'huge', 'deep'];

interface Service {
  name: string;
  /** Content failures of this service may be answered 401 (the credential's own status list cannot vouch for it). */
  contentMay401?: boolean;
  path(w: World): string;
  /** A credential this service condemns (or, for the TIL, any credential it must vouch for). */
  judged(w: World): string;
  /** The answer once the service is back: 401 revoked, or 200. */
  recovered: { status: 200 } | { status: 401; description: RegExp };
}

const SERVICES: Service[] = [
  { name: 'Trusted Issuers List', path: () => `${TRUST_PATHS.til}${ISSUER_DID}`, judged: (w) => w.issue(), recovered: { status: 200 } },
  { name: 'revoked credential list', path: () => TRUST_PATHS.revoked, judged: (w) => w.issue({ id: REVOKED_ID }), recovered: { status: 401, description: /revoked/ } },
  { name: 'status list', contentMay401: true, path: () => STATUS_PATH, judged: (w) => w.issue({ credentialStatus: statusEntry(w, 7) }), recovered: { status: 401, description: /revoked/ } },
];

for (const service of SERVICES) {
  describe(`fault injection: the ${service.name} fails`, () => {
    let w: World;
    before(async () => {
      w = await createWorld({ trustOverHttp: true, revoked: [REVOKED_ID], env: TTL_ENV });
      w.stub!.serve(STATUS_PATH, { body: statusListJwt(w, [7]), contentType: 'application/vc+jwt' });
    });
    after(() => w.close());

    for (const mode of FAILURES) {
      const may401 = service.contentMay401 === true && CONTENT_MODES.includes(mode);
      test(`answering ${mode}: the token request fails closed with ${may401 ? '503 temporarily_unavailable or 401 invalid_client' : '503 temporarily_unavailable'} within 5 s, nothing issued or stored; back to ok, the real verdict`, async () => {
        const path = service.path(w);
        const credential = service.judged(w);
        w.clock.advance(PAST_CACHES_MS);
        w.stub!.setMode(path, mode as StubMode, { dripIntervalMs: 300 });
        const before = w.stub!.requests(path);
        try {
          const t0 = Date.now();
          const pending = w.post((await w.tokenRequest({ credential })).body);
          const judged = may401 ? await pending : undefined;
          const res = judged?.status === 401 ? await expectRejected(w, Promise.resolve(judged), 401, 'invalid_client', /./) : await expectRejected(w, judged ? Promise.resolve(judged) : pending, 503, 'temporarily_unavailable', /./);
          const ms = Date.now() - t0;
          assert.ok(ms < 5000, `answered after ${ms} ms`);
          if (res.status === 503) assert.ok(res.headers['retry-after'], 'Retry-After on the 503');
          assert.ok(w.stub!.requests(path) > before, `the ${service.name} was asked`);
        } finally {
          w.stub!.setMode(path, 'ok');
        }
        w.clock.advance(PAST_CACHES_MS);
        const again = await w.post((await w.tokenRequest({ credential })).body);
        assert.equal(again.status, service.recovered.status, JSON.stringify(again.json));
        if (service.recovered.status === 401) {
          assert.equal(again.json.error, 'invalid_client');
          assert.match(String(again.json.error_description), service.recovered.description);
          assert.equal(again.json.access_token, undefined);
          const clean = await w.post((await w.tokenRequest()).body);
          assert.equal(clean.status, 200, `a clean credential gets its token again: ${JSON.stringify(clean.json)}`);
        } else assert.equal(typeof again.json.access_token, 'string');
      });
    }
  });
}

describe('fault injection: the Trusted Services List refresh fails', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ trustOverHttp: true });
  });
  after(() => w.close());

  for (const mode of FAILURES) {
    test(`answering ${mode}: the refresh returns within 10 s, the last good list is kept (its client gets tokens, nobody is added); back to ok, the new list applies`, async () => {
      const newcomer = newMachine();
      const newList = `clients:\n${[machineClientEntry(w.machine.did), machineClientEntry(newcomer.did)].map((c) => `  - ${JSON.stringify(c)}`).join('\n')}\n`;
      w.stub!.serve(TRUST_PATHS.tsl, { body: newList, contentType: 'application/yaml' });
      w.stub!.setMode(TRUST_PATHS.tsl, mode as StubMode, { dripIntervalMs: 300 });
      const before = w.stub!.requests(TRUST_PATHS.tsl);
      try {
        const t0 = Date.now();
        await w.runtime.clients.refresh().catch(() => undefined);
        assert.ok(Date.now() - t0 < 10_000, `the refresh took ${Date.now() - t0} ms`);
        assert.ok(w.stub!.requests(TRUST_PATHS.tsl) > before, 'the list was fetched');
        assert.equal((await w.post((await w.tokenRequest()).body)).status, 200, 'the registered client is still served');
        // A slow answer within the list's 5 s fetch timeout is a good answer; every other mode must not change the list.
        if (mode !== 'slow') await expectRejected(w, w.post((await w.tokenRequest({ holder: newcomer })).body), 401, 'invalid_client', /./);
      } finally {
        w.stub!.setMode(TRUST_PATHS.tsl, 'ok');
      }
      await w.runtime.clients.refresh();
      const res = await w.post((await w.tokenRequest({ holder: newcomer })).body);
      assert.equal(res.status, 200, `the new client is served after a good refresh: ${JSON.stringify(res.json)}`);
      // Back to the original list for the next mode.
      w.stub!.serve(TRUST_PATHS.tsl, { body: `clients:\n  - ${JSON.stringify(machineClientEntry(w.machine.did))}\n`, contentType: 'application/yaml' });
      await w.runtime.clients.refresh();
    });
  }
});
