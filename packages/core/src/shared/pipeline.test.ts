import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../errors/verifier-error.ts';
import { observeSteps, runAllSteps, runSteps, type Step, type StepFailure } from './pipeline.ts';

interface Ctx {
  log: string[];
}

const ok = (name: string): Step<Ctx> => ({ name, run: (ctx) => void ctx.log.push(name) });
const okAsync = (name: string): Step<Ctx> => ({
  name,
  async run(ctx) {
    await new Promise((r) => setImmediate(r));
    ctx.log.push(name);
  },
});
const failing = (name: string, code: VerifierError['code'] = 'ERR_VC_EXPIRED'): Step<Ctx> => ({
  name,
  run(ctx) {
    ctx.log.push(name);
    throw new VerifierError(code, `${name} failed`);
  },
});
const failingAsync = (name: string): Step<Ctx> => ({
  name,
  async run(ctx) {
    await Promise.resolve();
    ctx.log.push(name);
    throw new VerifierError('ERR_VC_REVOKED', `${name} failed`);
  },
});
const crashing = (name: string): Step<Ctx> => ({
  name,
  run(ctx) {
    ctx.log.push(name);
    throw new TypeError('bug');
  },
});

describe('runSteps', () => {
  test('runs every step in order, awaiting async steps', async () => {
    const ctx: Ctx = { log: [] };
    await runSteps([ok('a'), okAsync('b'), ok('c')], ctx);
    assert.deepEqual(ctx.log, ['a', 'b', 'c']);
  });

  test('stops at the first failing step and rethrows its VerifierError', async () => {
    const ctx: Ctx = { log: [] };
    await assert.rejects(runSteps([ok('a'), failing('b'), ok('c')], ctx), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_VC_EXPIRED' && e.message === 'b failed');
    assert.deepEqual(ctx.log, ['a', 'b']);
  });

  test('reports the failing step name and error to onFailure exactly once', async () => {
    const failures: StepFailure[] = [];
    const ctx: Ctx = { log: [] };
    await assert.rejects(runSteps([ok('a'), failingAsync('revocation'), failing('later')], ctx, (f) => failures.push(f)));
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.step, 'revocation');
    assert.equal(failures[0]!.error.code, 'ERR_VC_REVOKED');
    assert.deepEqual(ctx.log, ['a', 'revocation']);
  });

  test('an unexpected (non-VerifierError) exception propagates without an onFailure report', async () => {
    const failures: StepFailure[] = [];
    const ctx: Ctx = { log: [] };
    await assert.rejects(runSteps([crashing('a'), ok('b')], ctx, (f) => failures.push(f)), TypeError);
    assert.deepEqual(failures, []);
    assert.deepEqual(ctx.log, ['a']);
  });

  test('an empty pipeline succeeds', async () => {
    await runSteps([], { log: [] });
  });
});

describe('runAllSteps', () => {
  test('runs every step and collects each VerifierError with its step name', async () => {
    const ctx: Ctx = { log: [] };
    const failures = await runAllSteps([failing('a', 'ERR_VC_TYPE'), ok('b'), failingAsync('c'), okAsync('d')], ctx);
    assert.deepEqual(ctx.log, ['a', 'b', 'c', 'd']);
    assert.deepEqual(failures.map((f) => [f.step, f.error.code]), [['a', 'ERR_VC_TYPE'], ['c', 'ERR_VC_REVOKED']]);
  });

  test('returns no failures when every step passes', async () => {
    assert.deepEqual(await runAllSteps([ok('a'), okAsync('b')], { log: [] }), []);
  });

  test('an unexpected exception aborts the run instead of being collected', async () => {
    const ctx: Ctx = { log: [] };
    await assert.rejects(runAllSteps([failing('a'), crashing('b'), ok('c')], ctx), TypeError);
    assert.deepEqual(ctx.log, ['a', 'b']);
  });
});

describe('observeSteps (the tracing port)', () => {
  test('an observer wraps every step run, sync and async, and sees the failure of the step that threw', async () => {
    const seen: string[] = [];
    observeSteps({
      step(name, run) {
        seen.push(`start ${name}`);
        try {
          const r = run();
          if (r instanceof Promise) return r.then(() => void seen.push(`end ${name}`), (e: unknown) => { seen.push(`fail ${name} ${(e as VerifierError).code}`); throw e; }) as typeof r;
          seen.push(`end ${name}`);
          return r;
        } catch (e) {
          seen.push(`fail ${name} ${(e as VerifierError).code}`);
          throw e;
        }
      },
    });
    try {
      const ctx: Ctx = { log: [] };
      await assert.rejects(runSteps([ok('a'), okAsync('b'), failingAsync('c'), ok('d')], ctx));
      assert.deepEqual(ctx.log, ['a', 'b', 'c']);
      assert.deepEqual(seen, ['start a', 'end a', 'start b', 'end b', 'start c', 'fail c ERR_VC_REVOKED']);
    } finally {
      observeSteps(undefined);
    }
  });

  test('without an observer steps run directly', async () => {
    const ctx: Ctx = { log: [] };
    await runSteps([ok('a'), okAsync('b')], ctx);
    assert.deepEqual(ctx.log, ['a', 'b']);
  });
});
