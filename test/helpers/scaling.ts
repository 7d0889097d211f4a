/**
 * Linear-cost checks that hold on a loaded machine: they count work instead of timing it. The screening modules
 * report the work they do through `lambda/shared/screening/work.ts` (code units visited by each scanning loop, the span each
 * native or regular-expression call is given, trie and matcher steps); a count is the same on an idle and on a
 * saturated machine. The speed targets (absolute times) live in `npm run bench:screening`.
 *
 * What the check proves: an input {@link SCALE}× larger must cost at most {@link MAX_GROWTH}× as much work. Linear
 * work grows about 8×, quadratic work 64×, `n log n` work about 9.6× (from 32 Ki to 256 Ki units). The inputs are
 * larger than every window the screens bound their look-ahead or sampling to (quotations 600 characters, the language
 * sample 16 Ki), so a cost that grows faster than the input shows at these sizes as it would at 1 Mi; the benchmark
 * times 1 MB inputs.
 *
 * Limitations, inherited from the counting (see `lambda/shared/screening/work.ts`): only work the code reports is counted, so
 * a new loop that does not report its span is invisible; backtracking inside one regular-expression call is not
 * counted (a call is counted by the span it is given, and a failed sticky attempt counts 1), which is why the
 * patterns keep their quantifiers bounded and why the benchmark still times them.
 */
import { measureWork } from '../../lambda/shared/screening/work';

/** The size ratio between the large and the small input. */
export const SCALE = 8;
/** The most the work may grow for an input {@link SCALE}× larger: a quarter over linear, far below quadratic (64). */
export const MAX_GROWTH = 10;

/**
 * Counts the work `work` reports on `make(largeSize / SCALE)` and on `make(largeSize)` and returns how much it grew.
 * The inputs are built before counting starts.
 *
 * @param work the code under test; it must report its work through `countWork` (directly or through the modules it calls)
 * @param make builds an input of about the given size (characters or bytes)
 * @param largeSize size of the large input (default 256 Ki)
 * @throws Error if the large input was counted as less work than one read of its `largeSize` units: the code under
 * test does not report (all of) its work, and a ratio would prove nothing
 */
export function workGrowth<T>(work: (input: T) => unknown, make: (size: number) => T, largeSize = 1 << 18): number {
  const small = make(Math.floor(largeSize / SCALE));
  const large = make(largeSize);
  const smallWork = measureWork(() => work(small));
  const largeWork = measureWork(() => work(large));
  if (largeWork < largeSize) {
    throw new Error(`counted ${largeWork} units of work for an input of ${largeSize}: the code under test does not report its work`);
  }
  return largeWork / smallWork;
}
