#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildBlueprint, buildCodeSigningProfile } from '../lib/blueprint';
import { removeComplianceReport, synthWithReport } from '../lib/compliance/report';
import { ConfigError } from '../lib/config';

// Synthesized explicitly, exactly once, so that the compliance report (cdk.out/compliance-report.md
// and .json) is written next to the assembly — also when a check fails, which still fails `cdk synth`.
const app = new App({ autoSynth: false });
// A configuration error stops the app before synthesis: leave no earlier report behind.
removeComplianceReport(app.outdir);
try {
  // `-c codeSigningProfileOnly=true`: only the Signer profile's stack, the first step of a code-signing set-up.
  const profileOnly: unknown = app.node.tryGetContext('codeSigningProfileOnly');
  if (profileOnly !== undefined && profileOnly !== 'true' && profileOnly !== 'false' && typeof profileOnly !== 'boolean') {
    throw new ConfigError(`Invalid context "codeSigningProfileOnly": must be true or false, got ${JSON.stringify(profileOnly)}`);
  }
  if (profileOnly === 'true' || profileOnly === true) buildCodeSigningProfile(app);
  else buildBlueprint(app);
} catch (e) {
  if (e instanceof ConfigError) {
    // The message names every bad key, its value and what is allowed; a stack trace adds nothing.
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
try {
  synthWithReport(app);
} catch (e) {
  // A failed validation (a compliance finding, unsigned code) names every construct and what to do; the stack trace
  // through aws-cdk-lib adds nothing. Anything else keeps its trace.
  if (e instanceof Error && /^Validation failed with the following errors/.test(e.message)) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}
