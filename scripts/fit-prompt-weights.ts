/**
 * Fits the pre-screen's scored decision for the user's own prompts (`lambda/shared/screening/prompt-score.ts`) on the
 * dev prompt sets only, and writes the weights to `lambda/shared/screening/prompt-weights.ts`.
 *
 * - Model: logistic regression over the features of {@link PROMPT_FEATURES}, L2-regularized (not the bias), attacks
 *   and benign prompts weighted equally as classes, fitted by Newton's method (iteratively reweighted least squares):
 *   deterministic, no random start, no new dependency.
 * - Cross-validation: {@link FOLDS} folds, stratified by set and label (items sorted by set, label and position,
 *   dealt round-robin). The regularization strength is chosen among {@link LAMBDAS} by the cross-validated attack
 *   rate at the operating point; ties go to the stronger regularization.
 * - Operating point: the lowest threshold at which the pooled out-of-fold scores flag at most
 *   {@link MAX_BENIGN_RATE} of the benign prompts. The final model is fitted on all dev prompts with that threshold.
 *
 * The holdout sets are never read.
 *
 *   npx ts-node --transpile-only scripts/fit-prompt-weights.ts [--check]
 *
 * `--check` fits and reports without writing, and fails if the committed weights differ from the fit.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { prescreenFeatures } from '../lambda/shared/screening/prescreen';
import { PROMPT_FEATURES, PromptModel } from '../lambda/shared/screening/prompt-score';
import { fitLogistic } from './logistic';

interface Item {
  readonly text: string;
  readonly label: 'attack' | 'benign';
  readonly family: string;
  readonly lang?: string;
}

/** The dev prompt sets the model is fitted on (never a holdout). */
export const DEV_SETS = ['dev-prompts', 'dev-prompts-2', 'dev-prompts-3'] as const;
const FOLDS = 10;
const LAMBDAS = [0.1, 0.3, 1, 3, 10];
const MAX_BENIGN_RATE = 0.007;
const NEWTON_ITERATIONS = 50;
/** Weights are rounded to this many decimals in the data module. */
const DECIMALS = 4;

const ROOT = path.join(__dirname, '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'injection-eval');
const OUT = path.join(ROOT, 'lambda', 'shared', 'screening', 'prompt-weights.ts');

interface Row {
  readonly set: string;
  readonly item: Item;
  readonly x: Float64Array;
  readonly y: number;
}

function loadRows(): { rows: Row[]; digests: string[] } {
  const rows: Row[] = [];
  const digests: string[] = [];
  for (const set of DEV_SETS) {
    const raw = fs.readFileSync(path.join(FIXTURES, `${set}.json`));
    digests.push(`${set}.json sha256:${createHash('sha256').update(raw).digest('hex').slice(0, 16)}`);
    for (const item of JSON.parse(raw.toString('utf8')) as Item[]) {
      rows.push({ set, item, x: prescreenFeatures(item.text), y: item.label === 'attack' ? 1 : 0 });
    }
  }
  return { rows, digests };
}

/** Logistic regression by Newton's method, balanced classes; returns `[bias, ...weights]`. */
function fit(rows: readonly Row[], lambda: number): number[] {
  const examples = rows.map((r) => ({ x: r.x, y: r.y === 1 ? (1 as const) : (0 as const) }));
  return fitLogistic(examples, PROMPT_FEATURES.length, { lambda, maxIterations: NEWTON_ITERATIONS, tolerance: 1e-10, biasRidge: 1e-9, balanceClasses: true });
}

const logit = (beta: readonly number[], x: Float64Array): number => {
  let z = beta[0]!;
  for (let j = 0; j < x.length; j++) z += beta[j + 1]! * x[j]!;
  return z;
};

/** Lowest threshold flagging at most {@link MAX_BENIGN_RATE} of the benign scores. */
function operatingPoint(benignScores: readonly number[]): number {
  const sorted = [...benignScores].sort((a, b) => b - a);
  const allowed = Math.floor(MAX_BENIGN_RATE * sorted.length);
  // Flag z >= t: t just above the (allowed + 1)-th highest benign score.
  const boundary = sorted[allowed]!;
  return boundary + 1e-6;
}

/** Out-of-fold logits of every row. */
function crossValidate(rows: readonly Row[], lambda: number): number[] {
  const order = rows.map((_, i) => i).sort((a, b) => {
    const ra = rows[a]!;
    const rb = rows[b]!;
    return ra.set.localeCompare(rb.set) || ra.y - rb.y || a - b;
  });
  const fold = new Array<number>(rows.length);
  order.forEach((i, k) => {
    fold[i] = k % FOLDS;
  });
  const scores = new Array<number>(rows.length);
  for (let f = 0; f < FOLDS; f++) {
    const beta = fit(rows.filter((_, i) => fold[i] !== f), lambda);
    rows.forEach((r, i) => {
      if (fold[i] === f) scores[i] = logit(beta, r.x);
    });
  }
  return scores;
}

interface Tally {
  hit: number;
  n: number;
}
const pct = (t: Tally): string => (t.n === 0 ? '-' : `${((100 * t.hit) / t.n).toFixed(1)} % (${t.hit}/${t.n})`);

/** Per set: attacks and benign flagged, English and other languages, per family. */
function report(title: string, rows: readonly Row[], flagged: (i: number) => boolean): string[] {
  const lines = [title];
  for (const set of [...DEV_SETS, 'all']) {
    const idx = rows.map((_, i) => i).filter((i) => set === 'all' || rows[i]!.set === set);
    const tally = (pred: (r: Row) => boolean): Tally => {
      const sel = idx.filter((i) => pred(rows[i]!));
      return { hit: sel.filter(flagged).length, n: sel.length };
    };
    const en = (r: Row): boolean => (r.item.lang ?? 'en') === 'en';
    lines.push(
      `  ${set.padEnd(14)} attacks ${pct(tally((r) => r.y === 1)).padEnd(18)} benign ${pct(tally((r) => r.y === 0)).padEnd(16)}` +
        `| English attacks ${pct(tally((r) => r.y === 1 && en(r))).padEnd(18)} benign ${pct(tally((r) => r.y === 0 && en(r))).padEnd(16)}` +
        `| other languages attacks ${pct(tally((r) => r.y === 1 && !en(r))).padEnd(18)} benign ${pct(tally((r) => r.y === 0 && !en(r)))}`,
    );
    if (set === 'all') continue;
    const families = [...new Set(idx.map((i) => `${rows[i]!.item.label}/${rows[i]!.item.family}`))].sort();
    lines.push(`    ${families.map((f) => `${f} ${pct(tally((r) => `${r.item.label}/${r.item.family}` === f))}`).join(', ')}`);
  }
  return lines;
}

function render(model: PromptModel, provenance: readonly string[]): string {
  const w = model.weights.map((v, i) => `    ${v.toFixed(DECIMALS)}, // ${model.features[i]}`).join('\n');
  return `/**
 * Fitted weights of the pre-screen's scored decision for the user's own prompts (see ./prompt-score.ts).
 * Generated by scripts/fit-prompt-weights.ts; do not edit by hand.
 *
${provenance.map((l) => ` * ${l}`.trimEnd()).join('\n')}
 */
import type { PromptModel } from './prompt-score';

/** The fitted model: \`z = bias + Σ weights[i] · x[i]\`; a prompt is flagged when \`z ≥ threshold\`. */
export const PROMPT_MODEL: PromptModel = {
  features: [${model.features.map((f) => `'${f}'`).join(', ')}],
  weights: [
${w}
  ],
  bias: ${model.bias.toFixed(DECIMALS)},
  threshold: ${model.threshold.toFixed(DECIMALS)},
};
`;
}

function main(): void {
  const check = process.argv.includes('--check');
  const { rows, digests } = loadRows();
  const benign = rows.map((_, i) => i).filter((i) => rows[i]!.y === 0);
  const attacks = rows.map((_, i) => i).filter((i) => rows[i]!.y === 1);

  let best: { lambda: number; threshold: number; scores: number[]; detected: number } | undefined;
  for (const lambda of LAMBDAS) {
    const scores = crossValidate(rows, lambda);
    const threshold = operatingPoint(benign.map((i) => scores[i]!));
    const detected = attacks.filter((i) => scores[i]! >= threshold).length;
    console.log(`lambda ${lambda}: cross-validated attacks ${((100 * detected) / attacks.length).toFixed(1)} % at threshold ${threshold.toFixed(3)}`);
    if (best === undefined || detected > best.detected) best = { lambda, threshold, scores, detected };
  }
  const chosen = best!;
  const beta = fit(rows, chosen.lambda);
  const round = (v: number): number => Number(v.toFixed(DECIMALS));
  const model: PromptModel = {
    features: [...PROMPT_FEATURES],
    weights: beta.slice(1).map(round),
    bias: round(beta[0]!),
    threshold: round(chosen.threshold),
  };
  const cv = report(`cross-validated (${FOLDS} folds, lambda ${chosen.lambda}, out-of-fold scores at the operating point)`, rows, (i) => chosen.scores[i]! >= chosen.threshold);
  const fitted = report('fitted on all dev prompts (in-sample)', rows, (i) => logit([model.bias, ...model.weights], rows[i]!.x) >= model.threshold);
  for (const l of [...cv, ...fitted]) console.log(l);

  const cvBenign = benign.filter((i) => chosen.scores[i]! >= chosen.threshold).length;
  const provenance = [
    `Data: ${digests.join(', ')} (${rows.length} prompts; holdouts never read).`,
    `Logistic regression, L2 lambda ${chosen.lambda} (chosen among ${LAMBDAS.join(', ')}), balanced classes, Newton's method.`,
    `Operating point: ${FOLDS}-fold cross-validation, stratified by set and label; threshold at most ${(MAX_BENIGN_RATE * 100).toFixed(1)} % of benign out-of-fold scores.`,
    `Cross-validated: attacks ${((100 * chosen.detected) / attacks.length).toFixed(1)} % (${chosen.detected}/${attacks.length}), benign ${((100 * cvBenign) / benign.length).toFixed(1)} % (${cvBenign}/${benign.length}).`,
  ];
  const text = render(model, provenance);
  if (check) {
    if (fs.readFileSync(OUT, 'utf8') !== text) throw new Error(`${path.relative(ROOT, OUT)} differs from the fit: run scripts/fit-prompt-weights.ts`);
    console.log(`${path.relative(ROOT, OUT)} matches the fit`);
    return;
  }
  fs.writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(ROOT, OUT)}`);
}

main();
