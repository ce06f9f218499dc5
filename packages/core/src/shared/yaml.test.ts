import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseYamlBounded, YamlInputError, type ParseYamlOptions } from './yaml.ts';

const O: ParseYamlOptions = { name: 'list', maxLength: 1024 * 1024, maxAliasCount: 10 };
const nestedFlow = (n: number, inner = 'x') => '['.repeat(n) + inner + ']'.repeat(n);
const reason = (r: YamlInputError['reason']) => (e: unknown) => e instanceof YamlInputError && e.reason === r;

describe('parseYamlBounded', () => {
  test('reads documents exactly as yaml.parse does', () => {
    const docs = [
      'revoked_credentials:\n  - "a923523e-2130-4924-9e8f-4cc99fd2b3e8"\n  - b\n',
      'clients:\n  - {"clientId":"did:key:z1","redirectUris":["https://a"],"requireProofKey":true}\n',
      'a:\n- b: [1, {c: [2, "]]]"]}]\n  # comment [[[\nd: |\n  [[[[\n  {{{{\ne: \'[[\'\n',
      'x',
      '{"message":"rate limited"}',
      'base: &b {k: 1}\nuse: *b\n',
    ];
    for (const d of docs) assert.deepEqual(parseYamlBounded(d, O), parse(d), d);
  });

  test('an empty or comment-only document is null', () => {
    for (const d of ['', '\n', '# nothing\n']) assert.equal(parseYamlBounded(d, O), null);
  });

  test('accepts 32 levels of nesting and refuses 33, for flow and block collections alike', () => {
    assert.deepEqual(parseYamlBounded(nestedFlow(32), O), parse(nestedFlow(32)));
    assert.throws(() => parseYamlBounded(nestedFlow(33), O), { message: 'list nests deeper than 32 levels' });
    const braces = (n: number) => '{a: '.repeat(n) + '1' + '}'.repeat(n);
    parseYamlBounded(braces(32), O);
    assert.throws(() => parseYamlBounded(braces(33), O), reason('depth'));
    const compact = (n: number) => '- '.repeat(n) + 'x\n';
    parseYamlBounded(compact(32), O);
    assert.throws(() => parseYamlBounded(compact(33), O), reason('depth'));
    const indented = (n: number) => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n';
    parseYamlBounded(indented(32), O);
    assert.throws(() => parseYamlBounded(indented(33), O), reason('depth'));
  });

  test('the depth cap is configurable', () => {
    assert.throws(() => parseYamlBounded(nestedFlow(5), { ...O, maxDepth: 4 }), { message: 'list nests deeper than 4 levels' });
    parseYamlBounded(nestedFlow(4), { ...O, maxDepth: 4 });
  });

  test('brackets inside quoted scalars, comments and block scalars neither add depth nor hide it', () => {
    // Closing brackets in strings do not let real nesting slip under the cap…
    const hiding = (n: number) => '["]]]]", '.repeat(n) + "x" + "]".repeat(n);
    assert.throws(() => parseYamlBounded(hiding(40), O), reason('depth'));
    const hidingSingle = (n: number) => "[']]]]', ".repeat(n) + 'x' + ']'.repeat(n);
    assert.throws(() => parseYamlBounded(hidingSingle(40), O), reason('depth'));
    const hidingComment = (n: number) => '[ # ]]]]\n'.repeat(n) + 'x' + ']'.repeat(n);
    assert.throws(() => parseYamlBounded(hidingComment(40), O), reason('depth'));
    // …and opening brackets in strings do not count as nesting.
    const text = `k: "${'['.repeat(1000)}"\nl: '${'{'.repeat(1000)}'\nm: |\n  ${'['.repeat(1000)}\n# ${'['.repeat(1000)}\n`;
    assert.deepEqual(parseYamlBounded(text, O), parse(text));
  });

  test('refuses a 200 KB [[[…]]] document quickly, every time (no stack overflow, no abort on the second parse)', () => {
    const deep = nestedFlow(102_400, '');
    for (let i = 0; i < 3; i++) assert.throws(() => parseYamlBounded(deep, O), reason('depth'));
  });

  test('refuses text longer than maxLength before lexing it', () => {
    const list = `l:\n${'  - b\n'.repeat(10)}`; // 63 characters
    assert.throws(() => parseYamlBounded(list, { ...O, maxLength: 62 }), { message: 'list is longer than 62 characters' });
    parseYamlBounded(list, { ...O, maxLength: 63 });
  });

  test('refuses syntax errors, duplicate keys, several documents and alias bombs', () => {
    assert.throws(() => parseYamlBounded('a: [unclosed', O), reason('syntax'));
    assert.throws(() => parseYamlBounded('a: 1\na: 2\n', O), reason('syntax'));
    assert.throws(() => parseYamlBounded('a: 1\n---\nb: 2\n', O), reason('multiple_documents'));
    const bomb = 'a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n';
    assert.throws(() => parseYamlBounded(bomb, O), reason('syntax'));
  });
});
