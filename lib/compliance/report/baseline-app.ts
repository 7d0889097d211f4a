import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildBlueprint } from '../../blueprint';
import { PROJECT_ROOT } from './baseline';

/**
 * The whole blueprint in a new app, as `cdk synth` builds it from the committed cdk.json, to read
 * its acknowledgments against the reviewed baseline. The app is not synthesized yet.
 *
 * The CDK's built-in CloudFormation validator is off: acknowledgments are recorded while the tree
 * is built, and the validator alone would double the synthesis time. `scripts/update-acknowledgment-baseline.ts`
 * writes the baseline from this app; test/lib/app-compliance.test.ts checks it against the app it
 * synthesizes with every check (the same cdk.json context and `buildBlueprint`, the validator on), so a
 * baseline this app cannot reproduce fails there.
 *
 * @param outdir the directory the app synthesizes into; the caller creates and removes it
 */
export function newAcknowledgmentBaselineApp(outdir: string): App {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ outdir, context: cdkJson.context, autoSynth: false, builtinCloudFormationValidation: false });
  buildBlueprint(app);
  return app;
}
