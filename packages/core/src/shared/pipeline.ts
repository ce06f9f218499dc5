/**
 * Pipelines are data: an ordered list of named steps over one context object
 * (node-oidc-provider's `actions/token.js` model). The server stops at the first failure;
 * `inspect` tooling can run the same list collecting every failure.
 */
import { VerifierError } from '../errors/verifier-error.ts';

export interface Step<C> {
  readonly name: string;
  run(ctx: C): void | Promise<void>;
}

export interface StepFailure {
  step: string;
  error: VerifierError;
}

/** Runs `steps` in order; throws the first failure (with the step name recorded). */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, onFailure?: (f: StepFailure) => void): Promise<void> {
  for (const step of steps) {
    try {
      const r = step.run(ctx);
      if (r) await r;
    } catch (e) {
      if (e instanceof VerifierError) onFailure?.({ step: step.name, error: e });
      throw e;
    }
  }
}

/**
 * Runs every step and returns all failures. A step that needs what an earlier failed step
 * would have produced reports that as its own failure or is skipped by its own guard.
 */
export async function runAllSteps<C>(steps: readonly Step<C>[], ctx: C): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  for (const step of steps) {
    try {
      await step.run(ctx);
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      failures.push({ step: step.name, error: e });
    }
  }
  return failures;
}
