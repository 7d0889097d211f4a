// The baseline for bench/synth.bench.ts: a CDK app with one stack holding one resource (CloudFormation
// rejects an empty Resources section), synthesized with the same launcher and feature flags.
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';

const app = new App();
new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Placeholder');
app.synth();
