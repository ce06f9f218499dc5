import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlaceholders, UnresolvedPlaceholderError } from './placeholders.ts';

const props: Record<string, string> = { A: 'a', B: '${A}b', LOOP: '${LOOP}', URL: 'https://x.example.org' };
const lookup = (name: string) => props[name];

test('${NAME} and ${NAME:default} are replaced; nested defaults work', () => {
  assert.equal(resolvePlaceholders('x-${A}-${B}-${C:c}', lookup), 'x-a-ab-c');
  assert.equal(resolvePlaceholders('${C:${A}}', lookup), 'a');
  assert.equal(resolvePlaceholders('${C:http://d.example.org:8080}', lookup), 'http://d.example.org:8080');
  assert.equal(resolvePlaceholders('${URL}/', lookup), 'https://x.example.org/');
});

test('text without placeholders or with an unclosed ${ is kept', () => {
  assert.equal(resolvePlaceholders('plain $ {A}', lookup), 'plain $ {A}');
  assert.equal(resolvePlaceholders('open ${A', lookup), 'open ${A');
});

test('an unresolvable placeholder or a cycle throws, naming the placeholder', () => {
  assert.throws(() => resolvePlaceholders('${NOPE}', lookup), (e: unknown) => e instanceof UnresolvedPlaceholderError && e.placeholder === 'NOPE');
  assert.throws(() => resolvePlaceholders('${LOOP}', lookup), UnresolvedPlaceholderError);
});
