/**
 * Collect-all runner for inspection. It runs the same `Step` objects as the server, but records
 * every step's outcome. Before a step runs, its prerequisites are checked. A step whose input
 * was never produced is reported as `not run: depends on <step>` and is not executed. This
 * matters because the pipeline steps return silently when their input is missing (so that
 * `runAllSteps` can go on), and such a return must never be reported as a pass.
 */
import { VerifierError } from '../errors/verifier-error.ts';
import type { Step } from '../shared/pipeline.ts';
import type { CheckResult } from './types.ts';

/** A failure of an inspection-only check that has no code in the error catalogue. */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

/**
 * What a step needs from an earlier one. With `present`, what it needs is that step's output in
 * the context (the step itself may have failed later, e.g. the VP decoded but its VC did not).
 * Without `present`, the earlier step must have passed.
 */
export interface Prerequisite<C> {
  step: string;
  present?: (ctx: C) => boolean;
}

/** Step name → prerequisites. A step missing from the table needs every earlier check to have passed. */
export type Prerequisites<C> = Readonly<Record<string, readonly Prerequisite<C>[]>>;

export const notRun = (step: string, dependency: string): CheckResult => ({
  step,
  ok: false,
  status: 'not-run',
  message: `not run: depends on ${dependency}`,
});

function blockingDependency<C>(step: string, ctx: C, prerequisites: Prerequisites<C>, earlier: readonly CheckResult[]): string | undefined {
  const declared = Object.hasOwn(prerequisites, step) ? prerequisites[step] : undefined;
  if (declared === undefined) return earlier.find((r) => r.status !== 'passed')?.step;
  for (const p of declared) {
    if (p.present ? !p.present(ctx) : earlier.find((r) => r.step === p.step)?.status !== 'passed') return p.step;
  }
  return undefined;
}

/** Runs one step and turns its outcome into a check result. */
export async function runCheck<C>(step: Step<C>, ctx: C): Promise<CheckResult> {
  try {
    await step.run(ctx);
    return { step: step.name, ok: true, status: 'passed' };
  } catch (e) {
    if (e instanceof VerifierError) return { step: step.name, ok: false, status: 'failed', code: e.code, message: e.message };
    if (e instanceof CheckFailure) return { step: step.name, ok: false, status: 'failed', message: e.message };
    // The server would answer 500 here; inspection reports it and goes on.
    return { step: step.name, ok: false, status: 'failed', code: 'ERR_SERVER', message: `unexpected error: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Runs `steps` in order over `ctx`, collecting one result per step. `earlier` holds results of
 * checks that ran before these (for prerequisites on them); it is not modified.
 */
export async function runChecks<C>(
  steps: readonly Step<C>[],
  ctx: C,
  prerequisites: Prerequisites<C>,
  earlier: readonly CheckResult[] = [],
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const step of steps) {
    const blocker = blockingDependency(step.name, ctx, prerequisites, [...earlier, ...results]);
    results.push(blocker === undefined ? await runCheck(step, ctx) : notRun(step.name, blocker));
  }
  return results;
}
