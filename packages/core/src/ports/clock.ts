/** Time source, injected everywhere time matters so tests can freeze it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until moved; for tests and the CLI's `inspect --at`. */
export function fixedClock(epochMs: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let t = epochMs;
  return {
    now: () => t,
    set: (ms) => {
      t = ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

export const nowSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
