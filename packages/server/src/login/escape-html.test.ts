import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, jsonForScript } from './escape-html.ts';

test('escapeHtml escapes the five HTML specials and the backtick', () => {
  assert.equal(escapeHtml(`"><script>alert('x')</script>&\``), '&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&#96;');
  assert.equal(escapeHtml('plain text ñ'), 'plain text ñ');
});

test('jsonForScript cannot close the script element and still parses to the same value', () => {
  const value = { s: '</script><!--<script>&\u2028\u2029' };
  const out = jsonForScript(value);
  assert.doesNotMatch(out, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(out), value);
});
