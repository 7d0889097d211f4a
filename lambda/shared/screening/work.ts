/**
 * Work accounting for the screening modules (`normalize`, `prescreen`, `output`, `canary`, `secrets`, `links`, `spotlight`), so tests can
 * prove linear cost by counting work instead of timing it: a count does not change when the machine is busy.
 *
 * The screening code reports the work it does with {@link countWork}: the code units each scanning loop visits, the
 * span each native call (`indexOf`, `RegExp#exec`, `replace`, `normalize`, a `Buffer` decode) is given, the trie steps
 * and matcher stages each token costs. It reports at loop exits and once per native call or token, never per
 * character through a function call, so production (no counter active) pays one branch per report.
 *
 * What a count can and cannot see:
 * - Only work the code reports is counted. A new loop or native call must report its span too, or a test cannot see
 *   that it made the cost quadratic.
 * - A regular expression call is counted by the span it is given: from where it starts to the end of its match, or to
 *   the end of the text when a scan finds nothing. Backtracking inside one call is invisible, and a sticky attempt
 *   that fails counts 1 whatever it read. The patterns keep their quantifiers bounded for that reason, and
 *   `npm run bench:screening` measures the time.
 * - Native string operations count the code units they process (a sort counts `k log2 k` for `k` items); allocation
 *   and garbage collection are not counted.
 */

/** Accumulates the work reported while it is active (see {@link measureWork}). */
export interface WorkCounter {
  /** Units of work reported so far (code units visited, matcher steps, …). */
  steps: number;
}

let active: WorkCounter | undefined;

/**
 * Report `n` units of work to the active counter; does nothing when no counter is active (production).
 *
 * @param n - a non-negative count: code units visited, items processed.
 */
export function countWork(n: number): void {
  if (active !== undefined) active.steps += n;
}

/** Whether a counter is active: lets a caller skip computing a count that only a test reads. */
export function countingWork(): boolean {
  return active !== undefined;
}

/**
 * Run `fn` synchronously with a fresh counter active and return the work it reported. Counters nest: the work of an
 * inner measurement is added to the outer one too.
 *
 * @param fn - synchronous work; anything it returns is discarded.
 */
export function measureWork(fn: () => unknown): number {
  const outer = active;
  const counter: WorkCounter = { steps: 0 };
  active = counter;
  try {
    fn();
  } finally {
    active = outer;
    if (outer !== undefined) outer.steps += counter.steps;
  }
  return counter.steps;
}

/** `RegExp#exec` that reports its span (see the module documentation). */
export function execCounted(re: RegExp, text: string): RegExpExecArray | null {
  const from = re.global || re.sticky ? re.lastIndex : 0;
  const m = re.exec(text);
  if (active !== undefined) {
    active.steps += m === null ? (re.sticky ? 1 : Math.max(1, text.length - from)) : m.index + m[0].length - from + 1;
  }
  return m;
}

/**
 * `RegExp#test` that reports its span: for a sticky pattern to the end of its match (1 when it fails), otherwise to the
 * end of the text, since where a match ends is unknown.
 */
export function testCounted(re: RegExp, text: string): boolean {
  const from = re.global || re.sticky ? re.lastIndex : 0;
  const hit = re.test(text);
  if (active !== undefined) active.steps += re.sticky ? (hit ? re.lastIndex - from + 1 : 1) : Math.max(1, text.length - from);
  return hit;
}
