/**
 * Synthesis benchmark: the full app (every stack, six cdk-nag packs incl. SecureLLM, cfn-guard, the CloudFormation
 * schema validator, Lambda bundling with local esbuild) against an empty CDK app, both started the
 * same way in child processes in this run. Prints the median of each and their ratio.
 *
 *   npm run bench:synth [-- --runs 5]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;
if (!Number.isInteger(runs) || runs < 3) {
  throw new Error(`--runs must be an integer of at least 3, got ${process.argv[runsArg + 1]}`);
}

const context = JSON.parse(fs.readFileSync(path.join(root, 'cdk.json'), 'utf8')).context as Record<string, unknown>;

function timeSynth(entry: string): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-bench-'));
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', entry], {
    cwd: root,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    encoding: 'utf8',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  if (result.status !== 0) {
    throw new Error(`synth of ${entry} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

// Interleave the two so machine noise hits both alike; one warm-up each fills the OS file cache.
timeSynth('bench/empty-app.ts');
timeSynth('bin/app.ts');
const empty: number[] = [];
const full: number[] = [];
for (let i = 0; i < runs; i++) {
  empty.push(timeSynth('bench/empty-app.ts'));
  full.push(timeSynth('bin/app.ts'));
}
const e = median(empty);
const f = median(full);
console.log(`synth benchmark (${runs} runs each, median, after one warm-up)`);
console.log(`  empty CDK app:                  ${e.toFixed(0)} ms   [${empty.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  full app, 7 checks + report:   ${f.toFixed(0)} ms   [${full.map((x) => x.toFixed(0)).join(', ')}]`);
console.log(`  ratio full / empty:             ${(f / e).toFixed(2)}x   (target <= 3x)`);
