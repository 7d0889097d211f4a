import { Template } from 'aws-cdk-lib/assertions';
import { buildBlueprint } from '../../lib/blueprint';
import { parseConfig } from '../../lib/config';
import { type Finding, formatFindings, newTestApp, readFindings } from '../helpers/compliance';

/** The whole app under profile "strict" with model customization, synthesized once with every compliance check. */
let findings: Finding[];
let gateway: Template;

beforeAll(() => {
  const app = newTestApp();
  const { gateway: stack } = buildBlueprint(
    app,
    parseConfig({
      profile: 'strict',
      baseline: { alertEmails: ['secops@example.com'] },
      customization: { baseModelId: 'amazon.nova-micro-v1:0:128k', dataWriterRoleArns: ['arn:aws:iam::123456789012:role/data-owner'] },
    }),
  );
  try {
    const assembly = app.synth();
    findings = readFindings(assembly.directory);
    gateway = Template.fromJSON(assembly.getStackArtifact(stack.artifactId).template);
  } catch (e) {
    if (!/ValidationFailed|Validation failed/.test(String(e))) throw e;
    findings = readFindings(app.outdir);
  }
});

describe('defaults', () => {
  test('the strict profile with customization passes every compliance check with zero unacknowledged findings', () => {
    expect(formatFindings(findings)).toBe('');
  });

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
