#!/usr/bin/env node
import { App, Tags } from 'aws-cdk-lib';
import { addCompliancePacks } from '../lib/compliance/packs';
import { loadConfig } from '../lib/config';
import { BaselineStack } from '../lib/baseline-stack';

const app = new App();
const config = loadConfig((key) => app.node.tryGetContext(key));

new BaselineStack(app, 'Baseline', {
  stackName: config.baseline.stackName,
  env: config.env,
  config: config.baseline,
  description: 'secure-llm-blueprint account security baseline: CloudTrail, GuardDuty, alerting, Bedrock model-invocation logging',
});

for (const [key, value] of Object.entries(config.tags)) {
  Tags.of(app).add(key, value);
}

// Every compliance gate, registered once for the whole app: synthesis fails on any
// unacknowledged error.
addCompliancePacks(app);
