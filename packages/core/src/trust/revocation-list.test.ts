import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../ports/clock.ts';
import { FetchError, type FetchResponse } from '../ports/fetcher.ts';
import { fakeFetch, type FakeAnswer } from '../shared/fake-fetch.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { createRevocationList, parseRevocationList } from './revocation-list.ts';

const URL = 'https://tf.example/prd/revoked_credential_list.yaml';
const T0 = Date.parse('2025-06-01T12:00:00Z');
const TTL = 60_000;
const FAILURE_TTL = 5_000;
const A = 'a923523e-2130-4924-9e8f-4cc99fd2b3e8';
const B = 'urn:uuid:2f6c5a6b-1c1d-4d7e-9b7a-0e0c2b9c0d11';

/** dome-verifier-wire.md §4.6, TF prd/revoked_credential_list.yaml. */
const PRODUCTION_YAML = `# A list of revoked VCs (e.g. "a8a6a7f4-c195-4121-894c-af1f26299920")
revoked_credentials:
  - "${A}"
`;

const yaml = (text: string, status = 200): FetchResponse => ({ status, contentType: 'application/yaml', body: Buffer.from(text) });

function setup(...answers: FakeAnswer[]) {
  return setupWith({}, ...answers);
}

function setupWith(options: { failureTtlMs?: number }, ...answers: FakeAnswer[]) {
  const clock = fixedClock(T0);
  const { fetch, requests } = fakeFetch(...answers);
  const list = createRevocationList({ url: URL, ttlMs: TTL, failureTtlMs: FAILURE_TTL, now: clock.now, fetch, ...options });
  return { clock, list, requests };
}

const UNAVAILABLE = (e: unknown) => {
  assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
  assert.equal(e.code, 'ERR_TRUST_SERVICE_UNAVAILABLE');
  assert.equal(e.message, 'the revoked credential list is unavailable; try again later');
  return true;
};

describe('parseRevocationList', () => {
  test('reads the production YAML list of revoked credential ids', () => {
    assert.deepEqual([...parseRevocationList(PRODUCTION_YAML)], [A]);
  });

  test('reads unquoted and urn:uuid ids as strings', () => {
    assert.deepEqual([...parseRevocationList(`revoked_credentials:\n  - ${A}\n  - ${B}\n`)], [A, B]);
  });

  test('reads an explicit empty list (YAML or JSON) as no revocations', () => {
    for (const text of ['revoked_credentials: []', '# nothing revoked\nrevoked_credentials: []\n', '{"revoked_credentials": []}']) {
      assert.equal(parseRevocationList(text).size, 0, JSON.stringify(text));
    }
  });

  test('refuses a document without an explicit revoked_credentials list: empty, comment only, null, other keys, a rate-limit message', () => {
    for (const text of ['', '   \n', '# nothing revoked\n', 'null', '~']) {
      assert.throws(() => parseRevocationList(text), { message: 'revoked credential list is not a YAML mapping' }, JSON.stringify(text));
    }
    for (const text of ['other: 1', '{"message":"rate limited"}', '{}', 'Revoked_Credentials: []']) {
      assert.throws(() => parseRevocationList(text), { message: 'revoked credential list has no revoked_credentials key' }, JSON.stringify(text));
    }
    for (const text of ['revoked_credentials:', 'revoked_credentials: ~', 'revoked_credentials: {}', 'revoked_credentials: 0']) {
      assert.throws(() => parseRevocationList(text), { message: 'revoked_credentials is not a list' }, JSON.stringify(text));
    }
  });

  test('refuses a list with a member that is not a string (it may be the credential someone meant to revoke)', () => {
    assert.throws(() => parseRevocationList(`revoked_credentials:\n  - "${A}"\n  - {id: x}\n`), { message: 'revoked_credentials[1] is not a string' });
    assert.throws(() => parseRevocationList(`revoked_credentials:\n  - "${A}"\n  -\n`), { message: 'revoked_credentials[1] is not a string' });
    assert.throws(() => parseRevocationList('revoked_credentials: [1234567]'), { message: 'revoked_credentials[0] is not a string' });
  });

  test('refuses a deeply nested document before composing it, and an oversized one before lexing it', () => {
    const deep = `revoked_credentials: ${'['.repeat(102_400)}${']'.repeat(102_400)}`;
    assert.throws(() => parseRevocationList(deep), { message: 'revoked credential list nests deeper than 32 levels' });
    assert.throws(() => parseRevocationList(deep), { message: 'revoked credential list nests deeper than 32 levels' }, 'a second parse in the same process is just as safe');
    assert.throws(() => parseRevocationList(`revoked_credentials:\n${'  - "x"\n'.repeat(150_000)}`), { message: 'revoked credential list is longer than 1048576 characters' });
  });

  test('refuses a document that is not a mapping, or a revoked_credentials that is not a list', () => {
    assert.throws(() => parseRevocationList(`- "${A}"`), { message: 'revoked credential list is not a YAML mapping' });
    assert.throws(() => parseRevocationList('just text'), { message: 'revoked credential list is not a YAML mapping' });
    assert.throws(() => parseRevocationList(`revoked_credentials: "${A}"`), { message: 'revoked_credentials is not a list' });
  });

  test('refuses YAML syntax errors', () => {
    assert.throws(() => parseRevocationList('revoked_credentials: [unclosed'));
  });
});

describe('createRevocationList', () => {
  test('answers from the fetched list (exact id match) with an operator request', async () => {
    const { list, requests } = setup(yaml(PRODUCTION_YAML));
    assert.equal(await list.isRevoked([A]), true);
    assert.equal(await list.isRevoked([A.toUpperCase()]), false);
    assert.equal(await list.isRevoked([`urn:uuid:${A}`]), false);
    assert.equal(requests.length, 1);
    assert.equal(requests[0]?.url, URL);
    assert.equal(requests[0]?.purpose, 'operator');
  });

  test('caches the list for the TTL and refetches when it has passed', async () => {
    const { list, requests, clock } = setup(yaml(PRODUCTION_YAML), yaml(`revoked_credentials: ["${A}", "${B}"]`));
    assert.equal(await list.isRevoked([B]), false);
    clock.advance(TTL - 1);
    assert.equal(await list.isRevoked([B]), false);
    assert.equal(requests.length, 1);
    clock.advance(1);
    assert.equal(await list.isRevoked([B]), true); // a new revocation takes effect within one TTL
    assert.equal(requests.length, 2);
  });

  test('answers for a set of ids (any listed id revokes) with one load', async () => {
    const { list, requests } = setup(yaml(PRODUCTION_YAML));
    assert.equal(await list.isRevoked([`urn:uuid:${A}`, A]), true);
    assert.equal(await list.isRevoked([`urn:uuid:${B}`, B]), false);
    assert.equal(await list.isRevoked([]), false);
    assert.equal(requests.length, 1);
  });

  test('shares one fetch between concurrent checks', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { list, requests } = setup(async () => {
      await gate;
      return yaml(PRODUCTION_YAML);
    });
    const pending = Promise.all([list.isRevoked([A]), list.isRevoked([B]), list.isRevoked([A])]);
    release();
    assert.deepEqual(await pending, [true, false, true]);
    assert.equal(requests.length, 1);
  });

  test('fails closed when the first load fails (HTTP error, fetch error, invalid YAML)', async () => {
    for (const answer of [yaml('', 404), yaml('', 500), new FetchError('timeout', 'timeout'), yaml('- not a mapping'), yaml(''), yaml('{"message":"rate limited"}')]) {
      const { list } = setup(answer);
      await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    }
  });

  test('keeps the cause of an outage', async () => {
    const { list } = setup(yaml('', 503));
    await assert.rejects(list.isRevoked([A]), (e: unknown) => UNAVAILABLE(e) && /HTTP 503/.test(String((e as Error).cause)));
  });

  test('when a refresh fails, serves the last good list for one more TTL (stale-if-error)', async () => {
    const { list, requests, clock } = setup(yaml(PRODUCTION_YAML), yaml('', 503));
    assert.equal(await list.isRevoked([A]), true);
    clock.advance(TTL);
    assert.equal(await list.isRevoked([A]), true);
    clock.advance(TTL - 1);
    assert.equal(await list.isRevoked([A]), true);
    assert.ok(requests.length >= 2, 'each check after the TTL retries the fetch');
  });

  test('a 200 answer without a usable list is a failed refresh: the last good list serves its grace, then checks fail closed', async () => {
    for (const unusable of ['', '{"message":"rate limited"}', 'revoked_credentials:', `revoked_credentials: ${'['.repeat(1000)}`]) {
      const { list, clock } = setup(yaml(PRODUCTION_YAML), yaml(unusable), yaml(unusable));
      assert.equal(await list.isRevoked([A]), true);
      clock.advance(TTL);
      assert.equal(await list.isRevoked([A]), true, `${JSON.stringify(unusable.slice(0, 30))} did not replace the last good list`);
      clock.advance(TTL);
      await assert.rejects(list.isRevoked([A]), (e: unknown) => UNAVAILABLE(e));
    }
  });

  test('after the stale window (two TTLs since the last good load) checks fail closed', async () => {
    const { list, clock } = setup(yaml(PRODUCTION_YAML), new FetchError('network', 'down'));
    await list.isRevoked([A]);
    clock.advance(2 * TTL - 1);
    assert.equal(await list.isRevoked([A]), true);
    clock.advance(1);
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    await assert.rejects(list.isRevoked(['anything']), UNAVAILABLE);
  });

  test('recovers once the list is reachable again, restarting the TTL', async () => {
    const { list, requests, clock } = setup(yaml(PRODUCTION_YAML), yaml('', 503), yaml(`revoked_credentials: ["${B}"]`));
    await list.isRevoked([A]);
    clock.advance(2 * TTL);
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    clock.advance(FAILURE_TTL);
    assert.equal(await list.isRevoked([B]), true);
    assert.equal(await list.isRevoked([A]), false);
    const fetched = requests.length;
    clock.advance(TTL - 1);
    await list.isRevoked([B]);
    assert.equal(requests.length, fetched);
  });

  test('after a failed refresh, checks within the failure TTL do not fetch again: they get the last good list within its grace', async () => {
    const { list, requests, clock } = setup(yaml(PRODUCTION_YAML), yaml('', 503), yaml(`revoked_credentials: ["${B}"]`));
    await list.isRevoked([A]);
    clock.advance(TTL);
    assert.equal(await list.isRevoked([A]), true);
    assert.equal(requests.length, 2);
    for (let i = 0; i < 5; i++) {
      clock.advance(FAILURE_TTL / 5 - 1);
      assert.equal(await list.isRevoked([A]), true);
    }
    assert.equal(requests.length, 2, 'no fetch within the failure TTL');
    clock.advance(5);
    assert.equal(await list.isRevoked([B]), true, 'the first check after the failure TTL fetches again');
    assert.equal(requests.length, 3);
  });

  test('with no usable list, checks within the failure TTL fail closed at once without fetching (a deep or hanging list is read once per failure TTL)', async () => {
    const { list, requests, clock } = setup(yaml(`revoked_credentials: ${'['.repeat(100_000)}${']'.repeat(100_000)}`), yaml(PRODUCTION_YAML));
    await assert.rejects(list.isRevoked([A]), (e: unknown) => UNAVAILABLE(e) && /nests deeper/.test(String((e as Error).cause)));
    for (let i = 0; i < 10; i++) await assert.rejects(list.isRevoked([A]), (e: unknown) => UNAVAILABLE(e) && /nests deeper/.test(String((e as Error).cause)));
    clock.advance(FAILURE_TTL - 1);
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    assert.equal(requests.length, 1);
    clock.advance(1);
    assert.equal(await list.isRevoked([A]), true);
    assert.equal(requests.length, 2);
  });

  test('a failure TTL of 0 turns the negative cache off', async () => {
    const { list, requests } = setupWith({ failureTtlMs: 0 }, yaml('', 503), yaml('', 503), yaml(PRODUCTION_YAML));
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    assert.equal(await list.isRevoked([A]), true);
    assert.equal(requests.length, 3);
  });

  test('status() reports unloaded, ok, stale (serving the last good list) and failing, with the last success and error', async () => {
    const { list, clock } = setup(yaml(PRODUCTION_YAML), yaml('{"message":"rate limited"}'), yaml(PRODUCTION_YAML));
    assert.deepEqual(list.status(), { state: 'unloaded', lastSuccessAt: undefined, lastFailureAt: undefined, lastError: undefined, entries: undefined });
    await list.isRevoked([A]);
    assert.deepEqual(list.status(), { state: 'ok', lastSuccessAt: T0, lastFailureAt: undefined, lastError: undefined, entries: 1 });
    clock.advance(TTL);
    assert.equal(list.status().state, 'ok', 'a list past its TTL is refreshed on the next check; nothing has failed yet');
    await list.isRevoked([A]);
    assert.deepEqual(list.status(), { state: 'stale', lastSuccessAt: T0, lastFailureAt: T0 + TTL, lastError: 'revoked credential list has no revoked_credentials key', entries: 1 });
    clock.advance(TTL);
    assert.equal(list.status().state, 'failing', 'past the grace, checks fail closed');
    await list.isRevoked([A]);
    assert.deepEqual(list.status(), { state: 'ok', lastSuccessAt: T0 + 2 * TTL, lastFailureAt: T0 + TTL, lastError: undefined, entries: 1 });
  });

  test('status() is failing when the first load failed', async () => {
    const { list } = setup(new FetchError('timeout', 'timed out after 1000 ms: http://tf.example'));
    await assert.rejects(list.isRevoked([A]), UNAVAILABLE);
    assert.deepEqual(list.status(), { state: 'failing', lastSuccessAt: undefined, lastFailureAt: T0, lastError: 'timed out after 1000 ms: http://tf.example', entries: undefined });
  });
});
