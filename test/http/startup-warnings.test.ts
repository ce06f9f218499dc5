/**
 * What the README promises `npm start` logs: one warning per development default — the
 * generated identity key, the in-memory store, the demo trust framework.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@dome-verifier/core/config';
import { createRuntime } from '@dome-verifier/server';

test('with no configuration, start-up warns once about each development default, the in-memory store included', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dv-warnings-'));
  const warnings: string[] = [];
  const logger = { info: () => undefined, warn: (_o: object, msg?: string) => void warnings.push(msg ?? ''), error: () => undefined };
  const runtime = await createRuntime(loadConfig({ env: { VERIFIER_DATA_DIR: dataDir } }), { logger });
  try {
    assert.equal(warnings.filter((w) => /development identity key/.test(w)).length, 1, warnings.join('\n'));
    assert.equal(warnings.filter((w) => /demo trust framework/.test(w)).length, 1, warnings.join('\n'));
    const store = warnings.filter((w) => /in-memory store/.test(w));
    assert.equal(store.length, 1, warnings.join('\n'));
    assert.match(store[0]!, /verifier\.backend\.store\.type/);
  } finally {
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
