#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { buildBlueprint } from '../lib/blueprint';
import { removeComplianceReport, synthWithReport } from '../lib/compliance/report';

// Synthesized explicitly, exactly once, so that the compliance report (cdk.out/compliance-report.md
// and .json) is written next to the assembly — also when a check fails, which still fails `cdk synth`.
const app = new App({ autoSynth: false });
// A configuration error stops the app before synthesis: leave no earlier report behind.
removeComplianceReport(app.outdir);
buildBlueprint(app);
synthWithReport(app);
