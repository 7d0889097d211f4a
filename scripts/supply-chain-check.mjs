#!/usr/bin/env node
/**
 * Supply-chain checks CI runs (.ci/run) after the tests:
 * 1. registry signatures of every installed package (`npm audit signatures`): fails on any invalid signature;
 * 2. advisories of high or critical severity in what the package runs and deploys: its production dependencies
 *    (`npm audit --omit=dev`), and the npm packages esbuild put into the Lambda bundles (they are development
 *    dependencies of the package but production code in AWS Lambda: they are audited in a throw-away project that
 *    depends on exactly those versions, from dist/bundles/manifest.json).
 *
 * A registry that cannot answer (a mirror without the signature keys or the advisory endpoint, no network) is not a
 * pass: the check prints that it could not run and why. With SUPPLY_CHAIN_CHECKS=required (set it in pipelines that
 * reach registry.npmjs.org and the Sigstore TUF repository) that is a failure too; without it, a warning.
 *
 *   node scripts/supply-chain-check.mjs
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Severities that fail the check. */
export const FAILING_SEVERITIES = ['high', 'critical'];

/** The first line that says why npm could not answer. */
function firstReason(summary, stderr) {
  const lines = [summary ?? '', ...stderr.split('\n')].map((l) => l.replace(/^npm (error|warn)( audit)? /, '').trim()).filter((l) => l.length > 0);
  return (lines[0] ?? '').slice(0, 200);
}

/**
 * Classify `npm audit signatures --json` output.
 * @returns {{ outcome: 'pass' | 'fail' | 'unavailable', detail: string }}
 */
export function classifySignatures(status, stdout, stderr) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  if (report && Array.isArray(report.invalid)) {
    if (report.invalid.length > 0) {
      return { outcome: 'fail', detail: `invalid registry signatures: ${report.invalid.map((p) => `${p.name}@${p.version}`).join(', ')}` };
    }
    const missing = Array.isArray(report.missing) ? report.missing.length : 0;
    return { outcome: 'pass', detail: `no invalid signatures${missing > 0 ? ` (${missing} packages carry none)` : ''}` };
  }
  if (status === 0) return { outcome: 'pass', detail: 'verified' };
  return { outcome: 'unavailable', detail: firstReason(report?.error?.summary, stderr) || `npm audit signatures exited with ${status}` };
}

/**
 * Classify `npm audit --json` output.
 * @returns {{ outcome: 'pass' | 'fail' | 'unavailable', detail: string }}
 */
export function classifyAdvisories(stdout, stderr) {
  let report;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts && typeof counts === 'object') {
    const failing = FAILING_SEVERITIES.reduce((n, s) => n + (counts[s] ?? 0), 0);
    if (failing > 0) {
      const names = Object.values(report.vulnerabilities ?? {})
        .filter((v) => FAILING_SEVERITIES.includes(v.severity))
        .map((v) => `${v.name} (${v.severity})`);
      return { outcome: 'fail', detail: `${failing} high or critical advisories: ${names.join(', ')}` };
    }
    return { outcome: 'pass', detail: `no high or critical advisories (${counts.total ?? 0} lower)` };
  }
  return { outcome: 'unavailable', detail: firstReason(report?.message ?? report?.error?.summary, stderr) || 'npm audit gave no report' };
}

function run(args, cwd) {
  const r = spawnSync(npm, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 300_000 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Audit the packages in the Lambda bundles, in a throw-away project that pins exactly them. */
function auditBundled() {
  const manifestFile = path.join(root, 'dist', 'bundles', 'manifest.json');
  if (!fs.existsSync(manifestFile)) return { outcome: 'fail', detail: 'dist/bundles/manifest.json is missing; run npm run build:bundles' };
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const dependencies = {};
  for (const fn of Object.values(manifest.functions)) {
    for (const p of fn.packages) {
      // Two versions of one package in the bundles: audit the one that sorts last; the other is reported by name below.
      dependencies[p.name] = p.version;
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sllm-bundled-audit-'));
  try {
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'bundled-audit', private: true, dependencies }));
    const lock = run(['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--legacy-peer-deps'], dir);
    if (lock.status !== 0) return { outcome: 'unavailable', detail: `could not resolve the bundled packages: ${lock.stderr.trim().slice(0, 300)}` };
    const audit = run(['audit', '--json'], dir);
    return classifyAdvisories(audit.stdout, audit.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function main() {
  const required = process.env.SUPPLY_CHAIN_CHECKS === 'required';
  const checks = [];
  const sig = run(['audit', 'signatures', '--json'], root);
  checks.push(['registry signatures', classifySignatures(sig.status, sig.stdout, sig.stderr)]);
  const prod = run(['audit', '--omit=dev', '--json'], root);
  const prodResult = classifyAdvisories(prod.stdout, prod.stderr);
  checks.push(['advisories: production dependencies', prodResult]);
  // Without an advisory endpoint, resolving the bundled tree only to be told the same is wasted time.
  checks.push(['advisories: packages in the Lambda bundles', prodResult.outcome === 'unavailable' ? { outcome: 'unavailable', detail: 'skipped: the advisory endpoint did not answer' } : auditBundled()]);

  let failed = false;
  for (const [name, { outcome, detail }] of checks) {
    const mark = outcome === 'pass' ? 'ok  ' : outcome === 'fail' ? 'FAIL' : required ? 'FAIL' : 'WARN';
    console.log(`${mark} ${name}: ${outcome === 'unavailable' ? `could not run here: ${detail}` : detail}`);
    if (outcome === 'fail' || (outcome === 'unavailable' && required)) failed = true;
  }
  if (!required && checks.some(([, r]) => r.outcome === 'unavailable')) {
    console.log('Some checks could not run (see above). Set SUPPLY_CHAIN_CHECKS=required where the registry answers them.');
  }
  if (failed) process.exit(1);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
