import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderConfigurationDoc } from './render-config-doc.ts';
import { CONFIG_KEYS } from './schema.ts';

const DOC = new URL('../../../../docs/configuration.md', import.meta.url);

test('docs/configuration.md is the output of renderConfigurationDoc() (UPDATE_DOCS=1 rewrites it)', () => {
  const expected = renderConfigurationDoc();
  if (process.env['UPDATE_DOCS'] === '1') writeFileSync(DOC, expected);
  assert.equal(readFileSync(DOC, 'utf8'), expected);
});

test('the doc has one table row per leaf key and explains both env spellings and PORT/HOST', () => {
  const doc = renderConfigurationDoc();
  for (const row of CONFIG_KEYS) assert.ok(doc.includes(`| \`${row.key}\` |`), row.key);
  for (const s of ['VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY', 'VERIFIER_BACKEND_IDENTITY_PRIVATEKEY', 'SPRING_CONFIG_ADDITIONAL_LOCATION', 'PORT=', 'HOST=']) {
    assert.ok(doc.includes(s), s);
  }
});
