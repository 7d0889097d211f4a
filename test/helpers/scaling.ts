/**
 * Linear-time checks that hold on a loaded machine. Absolute time limits in tests fail whenever
 * CI shares its cores; the speed targets live in `npm run bench`. What a test can check reliably is
 * how the cost grows: an input 8× larger must cost less than 32× as much (linear work gives about 8×,
 * quadratic work 64×). Each size is timed several times and the fastest run counts, which removes
 * most of the noise of other processes and garbage collection.
 */
import { performance } from 'node:perf_hooks';

/** The size ratio between the large and the small input. */
export const SCALE = 8;
/** The most the cost may grow for an input {@link SCALE}× larger: 4× the linear growth, a quarter of quadratic. */
export const MAX_GROWTH = 32;

function fastest(run: () => void, times: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * Times `work` on `make(n)` and `make(SCALE * n)` and returns how much the cost grew. A floor of
 * 0.05 ms on the small run keeps timer resolution from inflating the ratio.
 *
 * @param make builds an input of about the given size (characters or bytes)
 * @param largeSize size of the large input (default 1 MiB)
 */
export function costGrowth<T>(work: (input: T) => unknown, make: (size: number) => T, largeSize = 1 << 20): number {
  const small = make(Math.floor(largeSize / SCALE));
  const large = make(largeSize);
  work(small); // warm up the code paths (JIT) before timing
  const smallMs = Math.max(fastest(() => work(small), 5), 0.05);
  const largeMs = fastest(() => work(large), 3);
  return largeMs / smallMs;
}
