/**
 * The compliance helpers of the tests are the package's own `./testing` entry point (`lib/testing`), so the
 * repository tests exactly what consumers' CI uses. `newTestApp` here always reads this repository's cdk.json.
 */
import * as path from 'node:path';
import type { App } from 'aws-cdk-lib';
import { newTestApp as newPackageTestApp } from '../../lib/testing';

export {
  type ComplianceResult,
  type Finding,
  assertNoUnacknowledgedFindings,
  formatFindings,
  readFindings,
  removeTestOutdirs,
  synthWithCompliance,
} from '../../lib/testing';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** A new App with this project's feature flags (as `cdk synth` would see them) and a temporary outdir, removed after the test file. */
export function newTestApp(context: Record<string, unknown> = {}): App {
  return newPackageTestApp(context, { cdkJson: CDK_JSON });
}
