/**
 * The compliance helpers of the tests are the package's own `./testing` entry point (`lib/testing`), so the
 * repository tests exactly what consumers' CI uses. `newTestApp` here always reads this repository's cdk.json.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { newTestApp as newPackageTestApp, removeTestOutdirs as removePackageTestOutdirs } from '../../lib/testing';

export {
  type ComplianceResult,
  type Finding,
  assertNoUnacknowledgedFindings,
  formatFindings,
  readFindings,
  synthWithCompliance,
} from '../../lib/testing';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** A new App with this project's feature flags (as `cdk synth` would see them) and a temporary outdir, removed after the test file. */
export function newTestApp(context: Record<string, unknown> = {}): App {
  return newPackageTestApp(context, { cdkJson: CDK_JSON });
}

const templateOutdirs = new Set<string>();

/**
 * A new App like {@link newTestApp} (this project's feature flags, a temporary outdir removed after the test file),
 * but without aws-cdk-lib's built-in CloudFormation validator: for tests that read templates of a configuration whose
 * compliance run (every cdk-nag pack, cfn-guard and that validator) is made elsewhere, named at the call site.
 *
 * The validator loads a WebAssembly engine of about 10 MB once per test file, which costs about ten seconds of CPU
 * (jest gives each test file its own module registry); a file that only reads templates need not pay it.
 */
export function newTemplateApp(context: Record<string, unknown> = {}): App {
  const flags = (JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-template-'));
  templateOutdirs.add(outdir);
  return new App({ outdir, context: { ...flags, ...context }, builtinCloudFormationValidation: false });
}

/**
 * The app of construct tests: {@link newTemplateApp}. Their compliance runs (every cdk-nag pack, SecureLLM and cfn-guard)
 * check each construct and its variants; aws-cdk-lib's CloudFormation schema validator checks every construct where it
 * is deployed — the default app (test/lib/app-compliance.test.ts) and every committed configuration in each of its
 * environment modes (test/lib/environments) synthesize with it — instead of loading its engine again in each of about
 * twenty construct test files (about six seconds of CPU each; `npm test` must stay within five minutes on two cores).
 */
export const newConstructTestApp = newTemplateApp;

/** Removes every output directory {@link newTestApp} and {@link newTemplateApp} created in this process. */
export function removeTestOutdirs(): void {
  removePackageTestOutdirs();
  for (const dir of templateOutdirs) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  templateOutdirs.clear();
}
export { scrubAssetHashes } from '../../lib/testing';
