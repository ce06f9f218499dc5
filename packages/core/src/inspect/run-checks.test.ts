import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../errors/verifier-error.ts';
import type { Step } from '../shared/pipeline.ts';
import { PRESENTATION_CHECKS } from '../credentials/verify-presentation.ts';
import { CLIENT_AUTH_STEPS } from '../oauth/client-auth/authenticate-client.ts';
import { CheckFailure, runChecks, type Prerequisites } from './run-checks.ts';
import { AUTHORIZE_PREREQUISITES, CLIENT_AUTH_PREREQUISITES, presentationPrerequisites } from './prerequisites.ts';
import { ACCESS_TOKEN_CHECKS, ACCESS_TOKEN_PREREQUISITES } from './access-token-checks.ts';
import { REQUEST_OBJECT_CHECKS } from './inspect-token.ts';

interface Ctx {
  state: { a?: string; b?: string };
  ran: string[];
}

/** `produce` writes a state member; `guarded` returns silently without its input, as the pipeline steps do. */
const produce = (name: string, key: 'a' | 'b', fail?: 'before' | 'after'): Step<Ctx> => ({
  name,
  run(ctx) {
    ctx.ran.push(name);
    if (fail === 'before') throw new VerifierError('ERR_VP_MALFORMED', `${name} failed`);
    ctx.state[key] = name;
    if (fail === 'after') throw new VerifierError('ERR_VC_MALFORMED', `${name} failed late`);
  },
});
const guarded = (name: string, key: 'a' | 'b'): Step<Ctx> => ({
  name,
  run(ctx) {
    if (!ctx.state[key]) return;
    ctx.ran.push(name);
  },
});
const newCtx = (): Ctx => ({ state: {}, ran: [] });

const prereqs: Prerequisites<Ctx> = {
  p: [],
  q: [{ step: 'p', present: (c) => c.state.a !== undefined }],
  r: [{ step: 'p' }],
};

test('a step whose input was never produced is reported as not run, and is not executed', async () => {
  const ctx = newCtx();
  const results = await runChecks([produce('p', 'a', 'before'), guarded('q', 'a')], ctx, prereqs);
  assert.deepEqual(results, [
    { step: 'p', ok: false, status: 'failed', code: 'ERR_VP_MALFORMED', message: 'p failed' },
    { step: 'q', ok: false, status: 'not-run', message: 'not run: depends on p' },
  ]);
  assert.deepEqual(ctx.ran, ['p']);
});

test('a state prerequisite is met by the output even when its producer failed afterwards; a pass prerequisite is not', async () => {
  const ctx = newCtx();
  const results = await runChecks([produce('p', 'a', 'after'), guarded('q', 'a'), guarded('r', 'a')], ctx, prereqs);
  assert.deepEqual(results.map((r) => [r.step, r.status]), [['p', 'failed'], ['q', 'passed'], ['r', 'not-run']]);
  assert.deepEqual(ctx.ran, ['p', 'q']);
});

test('a step without a prerequisites entry runs only when every earlier check passed', async () => {
  const failing = await runChecks([produce('p', 'a', 'before'), guarded('unknown', 'a')], newCtx(), prereqs);
  assert.equal(failing[1]!.status, 'not-run');
  assert.equal(failing[1]!.message, 'not run: depends on p');
  const passing = await runChecks([produce('p', 'a'), guarded('unknown', 'a')], newCtx(), prereqs);
  assert.deepEqual(passing.map((r) => r.status), ['passed', 'passed']);
});

test('earlier results count for prerequisites; CheckFailure has no code; other errors are ERR_SERVER', async () => {
  const earlier = [{ step: 'p', ok: false, status: 'failed' as const }];
  const [r] = await runChecks([guarded('r', 'a')], newCtx(), prereqs, earlier);
  assert.equal(r!.status, 'not-run');
  const [plain, unexpected] = await runChecks(
    [
      { name: 'plain', run: () => { throw new CheckFailure('nope'); } },
      { name: 'boom', run: () => { throw new TypeError('x is undefined'); } },
    ],
    newCtx(),
    { plain: [], boom: [] },
  );
  assert.deepEqual(plain, { step: 'plain', ok: false, status: 'failed', message: 'nope' });
  assert.deepEqual(unexpected, { step: 'boom', ok: false, status: 'failed', code: 'ERR_SERVER', message: 'unexpected error: x is undefined' });
});

test('ok is true exactly for passed checks', async () => {
  const results = await runChecks([produce('p', 'a', 'before'), guarded('q', 'a'), produce('s', 'b')], newCtx(), { ...prereqs, s: [] });
  for (const r of results) assert.equal(r.ok, r.status === 'passed', r.step);
});

/** Every step of the server's pipelines has an entry, so that none falls back to the conservative default unnoticed. */
test('prerequisite tables cover every pipeline step and name only existing steps', () => {
  const cover = (steps: readonly Step<never>[], table: Prerequisites<never>, extra: string[] = []) => {
    const names = new Set([...steps.map((s) => s.name), ...extra]);
    for (const s of steps) assert.ok(Object.hasOwn(table, s.name), `no prerequisites for ${s.name}`);
    for (const [step, list] of Object.entries(table)) {
      assert.ok(names.has(step), `prerequisites for unknown step ${step}`);
      for (const p of list) assert.ok(names.has(p.step), `${step} depends on unknown step ${p.step}`);
    }
  };
  cover(PRESENTATION_CHECKS as readonly Step<never>[], presentationPrerequisites() as Prerequisites<never>);
  cover(CLIENT_AUTH_STEPS as readonly Step<never>[], CLIENT_AUTH_PREREQUISITES as Prerequisites<never>);
  cover(REQUEST_OBJECT_CHECKS as readonly Step<never>[], AUTHORIZE_PREREQUISITES as Prerequisites<never>);
  cover(ACCESS_TOKEN_CHECKS as readonly Step<never>[], ACCESS_TOKEN_PREREQUISITES as Prerequisites<never>);
});
