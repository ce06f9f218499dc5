/** The CLI's descriptions (package.json, --help, docs/architecture.md) name every command it has. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createProgram } from './program.ts';

const names = createProgram().commands.map((c) => c.name());
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { description: string };
const architecture = readFileSync(new URL('../../../docs/architecture.md', import.meta.url), 'utf8');

test('the package description, the program description and architecture.md list every command', () => {
  assert.deepEqual(names, ['keygen', 'issue', 'token', 'wallet', 'inspect', 'request-object']);
  const cliLine = architecture.split('\n').find((l) => /└─ cli\s/.test(l)) ?? '';
  for (const name of names) {
    assert.match(pkg.description, new RegExp(`\\b${name}\\b`), `package.json description: ${name}`);
    assert.match(cliLine, new RegExp(`\\b${name}\\b`), `architecture.md: ${name}`);
  }
  const help = createProgram().description();
  for (const what of ['keys', 'credentials', 'tokens', 'wallet', 'inspect', 'request objects']) assert.ok(help.includes(what), `--help description: ${what}`);
});
