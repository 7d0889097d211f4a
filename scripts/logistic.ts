/**
 * L2-penalized logistic regression fitted by Newton's method — the one fitting routine behind the screening models
 * (`scripts/fit-document-weights.ts`, `scripts/fit-prompt-weights.ts`). Deterministic: no random start, no sampling.
 */

/** One training example: its feature values and its label (1 = attack / poisoned). */
export interface LabeledExample {
  readonly x: ArrayLike<number>;
  readonly y: 0 | 1;
}

export interface LogisticOptions {
  /** L2 penalty on the weights (never on the bias). */
  readonly lambda: number;
  /** Newton steps at most. */
  readonly maxIterations: number;
  /** Stop when no coefficient moves by more than this. */
  readonly tolerance: number;
  /** Added to the bias's diagonal entry of the Hessian so that a separable set still gives a solvable system. */
  readonly biasRidge: number;
  /** Weigh each class by `n / (2 · n_class)` so that both count alike. */
  readonly balanceClasses: boolean;
}

/** Solves `a · v = b` for a symmetric positive definite `a` by Gaussian elimination with partial pivoting. */
export function solveLinear(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = m[r]![c]! / m[c]![c]!;
      if (f === 0) continue;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  const v = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * v[k]!;
    v[r] = s / m[r]![r]!;
  }
  return v;
}

/** Fits `[bias, w_1 … w_features]` on `rows`, each with `features` values. */
export function fitLogistic(rows: readonly LabeledExample[], features: number, options: LogisticOptions): number[] {
  const d = features + 1;
  const positives = rows.filter((r) => r.y === 1).length;
  const classWeight = options.balanceClasses ? [rows.length / (2 * (rows.length - positives)), rows.length / (2 * positives)] : [1, 1];
  const beta = new Array<number>(d).fill(0);
  const v = new Array<number>(d);
  for (let it = 0; it < options.maxIterations; it++) {
    const grad = new Array<number>(d).fill(0);
    const hess = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const r of rows) {
      v[0] = 1;
      for (let j = 1; j < d; j++) v[j] = r.x[j - 1]!;
      let z = 0;
      for (let j = 0; j < d; j++) z += beta[j]! * v[j]!;
      const p = 1 / (1 + Math.exp(-z));
      const c = classWeight[r.y]!;
      const s = c * p * (1 - p);
      for (let j = 0; j < d; j++) {
        if (v[j] === 0) continue;
        grad[j]! += c * (p - r.y) * v[j]!;
        for (let k = 0; k < d; k++) hess[j]![k]! += s * v[j]! * v[k]!;
      }
    }
    for (let j = 1; j < d; j++) {
      grad[j]! += options.lambda * beta[j]!;
      hess[j]![j]! += options.lambda;
    }
    hess[0]![0]! += options.biasRidge;
    const step = solveLinear(hess, grad);
    let moved = 0;
    for (let j = 0; j < d; j++) {
      beta[j]! -= step[j]!;
      moved = Math.max(moved, Math.abs(step[j]!));
    }
    if (moved < options.tolerance) break;
  }
  return beta;
}
