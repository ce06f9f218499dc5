/**
 * Liveness and readiness (issue #9 item 12). `/health/live` says the process answers (no I/O);
 * `/health/ready` — and `/health`, the path DOME's chart probes — say whether tokens can be
 * served: the Trusted Services List loaded and not empty, and the store writable (a real write
 * probe that leaves nothing behind). Each DOWN reason is named in its component.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMemoryStore } from '@dome-verifier/core';
import { machineClientEntry, createWorld, type World } from '../support/world.ts';

type Health = { status: string; components?: Record<string, Record<string, unknown>> };
const get = async (w: World, url: string) => {
  const res = await w.app.inject({ method: 'GET', url });
  return { status: res.statusCode, json: res.json() as Health, cacheControl: res.headers['cache-control'] };
};

describe('health: liveness and readiness', () => {
  let w: World;
  const store = createMemoryStore({ maxEntries: 3, sweepIntervalMs: 3_600_000 });
  before(async () => {
    w = await createWorld({ store });
  });
  after(async () => {
    await w.close();
    await store.close();
  });

  test('ready: /health and /health/ready are 200 UP with the client count and the store type; /health/live is 200 UP', async () => {
    for (const path of ['/health', '/health/ready']) {
      const h = await get(w, path);
      assert.equal(h.status, 200, path);
      assert.equal(h.cacheControl, 'no-store');
      assert.deepEqual(h.json, { status: 'UP', components: { trustedServicesList: { status: 'UP', clients: 1 }, store: { status: 'UP', type: 'memory' } } }, path);
    }
    assert.deepEqual((await get(w, '/health/live')).json, { status: 'UP' });
    assert.equal(store.size, 0, 'the write probe leaves nothing behind');
  });

  test('an empty (but valid) Trusted Services List makes the replica not ready: 503, trustedServicesList DOWN (empty); liveness stays UP', async () => {
    writeFileSync(join(w.dir, 'tsl.yaml'), 'clients: []\n');
    await w.runtime.clients.refresh();
    assert.equal(w.runtime.clients.all().length, 0, 'the empty list was accepted');
    for (const path of ['/health', '/health/ready']) {
      const h = await get(w, path);
      assert.equal(h.status, 503, path);
      assert.equal(h.json.status, 'DOWN');
      assert.deepEqual(h.json.components?.trustedServicesList, { status: 'DOWN', clients: 0, reason: 'empty' });
      assert.deepEqual(h.json.components?.store, { status: 'UP', type: 'memory' });
    }
    const live = await get(w, '/health/live');
    assert.equal(live.status, 200);
    assert.deepEqual(live.json, { status: 'UP' });

    writeFileSync(join(w.dir, 'tsl.yaml'), `clients:\n  - ${JSON.stringify(machineClientEntry(w.machine.did))}\n`);
    await w.runtime.clients.refresh();
    assert.equal((await get(w, '/health')).status, 200, 'ready again once clients are back');
  });

  test('a full store makes the replica not ready: 503, store DOWN (full); liveness stays UP', async () => {
    for (let i = 0; i < 3; i++) await store.set(`filler:${i}`, 'x', 3_600_000);
    for (const path of ['/health', '/health/ready']) {
      const h = await get(w, path);
      assert.equal(h.status, 503, path);
      assert.equal(h.json.status, 'DOWN');
      assert.deepEqual(h.json.components?.store, { status: 'DOWN', type: 'memory', reason: 'full' });
      assert.deepEqual(h.json.components?.trustedServicesList, { status: 'UP', clients: 1 });
    }
    assert.equal((await get(w, '/health/live')).status, 200);
    for (let i = 0; i < 3; i++) await store.delete(`filler:${i}`);
    assert.equal((await get(w, '/health')).status, 200);
  });
});
