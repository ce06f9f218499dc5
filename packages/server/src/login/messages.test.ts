import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format, LANG_NAMES, LANGS, MESSAGES } from './messages.ts';

test('en, es and ca have the same keys, all non-empty', () => {
  const keys = Object.keys(MESSAGES.en).sort();
  for (const lang of LANGS) {
    assert.deepEqual(Object.keys(MESSAGES[lang]).sort(), keys, lang);
    for (const [k, v] of Object.entries(MESSAGES[lang])) assert.ok(v.trim().length > 0, `${lang}.${k}`);
  }
  assert.deepEqual(Object.keys(LANG_NAMES).sort(), [...LANGS].sort());
});

test('every translation uses the same placeholders as English', () => {
  const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const [key, en] of Object.entries(MESSAGES.en)) {
    for (const lang of LANGS) {
      assert.deepEqual(placeholders(MESSAGES[lang][key as keyof typeof MESSAGES.en]), placeholders(en), `${lang}.${key}`);
    }
  }
});

test('messages are text, not markup', () => {
  for (const lang of LANGS) for (const v of Object.values(MESSAGES[lang])) assert.doesNotMatch(v, /[<>]/);
});

test('format fills known placeholders and keeps unknown ones', () => {
  assert.equal(format('Back to {site} {x}', { site: 'rp.example' }), 'Back to rp.example {x}');
  assert.equal(format('{n}s', { n: 5 }), '5s');
  assert.equal(format('{toString}', {}), '{toString}');
});
