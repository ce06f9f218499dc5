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

/**
 * The tracing port: an observer wraps each step's run (the server's OpenTelemetry tracing makes
 * it a span). It returns what `run` returns and rethrows what it throws. Unset by default, and
 * then a step costs one `undefined` check.
 */
export interface StepObserver {
  step<T>(name: string, run: () => T): T;
}

let observer: StepObserver | undefined;

/** Installs (or, with undefined, removes) the process-wide step observer. */
export function observeSteps(o: StepObserver | undefined): void {
  observer = o;
}

/** Runs `steps` in order; throws the first failure (with the step name recorded). */
export async function runSteps<C>(steps: readonly Step<C>[], ctx: C, onFailure?: (f: StepFailure) => void): Promise<void> {
  for (const step of steps) {
    try {
      const r = observer ? observer.step(step.name, () => step.run(ctx)) : step.run(ctx);
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
      await (observer ? observer.step(step.name, () => step.run(ctx)) : step.run(ctx));
    } catch (e) {
      if (!(e instanceof VerifierError)) throw e;
      failures.push({ step: step.name, error: e });
    }
  }
  return failures;
}
