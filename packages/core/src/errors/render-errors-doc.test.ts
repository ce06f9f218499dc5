import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { renderErrorsDoc } from './render-errors-doc.ts';
import { ERROR_CODES } from './codes.ts';

const DOC = new URL('../../../../docs/errors.md', import.meta.url);

test('docs/errors.md lists every error code exactly as the catalogue defines it', () => {
  if (process.env.UPDATE_DOCS === '1') writeFileSync(DOC, renderErrorsDoc());
  assert.equal(readFileSync(DOC, 'utf8'), renderErrorsDoc(), 'docs/errors.md is stale: run UPDATE_DOCS=1 npm test');
});

test('only temporarily_unavailable, server_error and IN2 bumped_format_temporarily_disabled map to a 5xx', () => {
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    if (spec.status >= 500) assert.ok(spec.error === 'temporarily_unavailable' || spec.error === 'server_error' || spec.error === 'bumped_format_temporarily_disabled', code);
    if (spec.error === 'invalid_client') assert.equal(spec.status, 401, code);
  }
});
