import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildBlueprint } from '../blueprint';
import type { StackTemplate } from './graph';

const ROOT = path.join(__dirname, '..', '..');

/**
 * Synthesizes the blueprint exactly as `bin/app.ts` does — `buildBlueprint` on an App with the
 * `cdk.json` context — but without running the compliance plugins, and with construct paths in the
 * template metadata (as `cdk synth` writes them). Lambda code is not bundled: only asset hashes
 * would change, and the diagram leaves them out.
 *
 * @param context extra context, e.g. `{ config: 'config/org-managed.json' }`
 */
export function synthesizeBlueprint(context: Record<string, unknown> = {}): StackTemplate[] {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'slb-diagram-'));
  try {
    const app = new App({
      outdir,
      context: {
        ...cdkJson.context,
        // A check, not an input: it never changes a template.
        '@aws-cdk/core:validateAgainstDefaultRules': false,
        // Bundling only changes asset hashes, which the diagram does not show: skip it for speed.
        'aws:cdk:bundling-stacks': [],
        'aws:cdk:enable-path-metadata': true,
        ...context,
      },
    });
    // Tools read the templates and never deploy them: code not signed yet only warns.
    buildBlueprint(app, undefined, { compliance: false, requireSignedCode: false });
    const assembly = app.synth();
    return assembly.stacks.map((s) => ({
      id: s.hierarchicalId,
      stackName: s.stackName,
      template: s.template as StackTemplate['template'],
    }));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
