import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../lib/blueprint';
import { BlueprintConfigInput, parseConfig } from '../../lib/config';
import { newTemplateApp } from '../helpers/compliance';
import { recordStagedCodeAsSigned } from '../helpers/signed-code';

/** The whole app under profile "strict" with model customization, synthesized once (its compliance checks: test/lib/environments, config/strict.json). */
let gateway: Template;

const STRICT: BlueprintConfigInput = {
  profile: 'strict',
  env: { account: '111122223333', region: 'us-east-1', availabilityZones: ['us-east-1a', 'us-east-1b'] },
  baseline: {
    alertEmails: ['secops@example.com'],
    enforcedGuardrail: { guardrailIdentifier: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456', guardrailVersion: '1' },
  },
  customization: { baseModelId: 'amazon.nova-micro-v1:0:128k', dataWriterRoleArns: ['arn:aws:iam::111122223333:role/data-owner'] },
};

beforeAll(() => {
  // The strict profile deploys only signed code: build once (which stages the code), record it as signed, then
  // synthesize, as an operator does (README, "Supply chain").
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customization-'));
  const input = { ...STRICT, codeSigning: { signedArtifactsFile: path.join(dir, 'signed-artifacts.json') } };
  const staging = newTemplateApp();
  buildBlueprint(staging, parseConfig(input), { compliance: false });
  recordStagedCodeAsSigned(staging.outdir, input.codeSigning.signedArtifactsFile);
  // Every compliance check on this app is run by the environment tests (config/strict.json has customization and
  // code signing); here the template alone is read, so the app synthesizes without the CloudFormation validator.
  const app = newTemplateApp();
  const { gateway: stack } = buildBlueprint(app, parseConfig(input), { compliance: false });
  try {
    const assembly = app.synth();
    gateway = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('defaults', () => {
  test('the strict profile locks the training-data vault in COMPLIANCE mode', () => {
    gateway.hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } } });
    gateway.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
  });
});

describe('validation', () => {
  test('fails if a data writer is not a role ARN, naming the key and the value', () => {
    expect(() => parseConfig({ customization: { baseModelId: 'amazon.nova-micro-v1:0', dataWriterRoleArns: ['alice'] } })).toThrow(
      /customization\.dataWriterRoleArns\.0: must be an IAM role ARN.*got "alice"/,
    );
  });

  test('fails if a gate tolerance is not a fraction', () => {
    expect(() => parseConfig({ customization: { baseModelId: 'amazon.nova-micro-v1:0', gate: { maxRefusalDrop: 5 } } })).toThrow(/customization\.gate\.maxRefusalDrop/);
  });

  test('the standard profile locks the vault in GOVERNANCE mode unless told otherwise', () => {
    expect(parseConfig({ customization: { baseModelId: 'amazon.nova-micro-v1:0' } }).customization?.objectLockMode).toBe('GOVERNANCE');
    expect(parseConfig({ customization: { baseModelId: 'amazon.nova-micro-v1:0', objectLockMode: 'COMPLIANCE' } }).customization?.objectLockMode).toBe('COMPLIANCE');
  });
});
