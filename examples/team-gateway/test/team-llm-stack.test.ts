import { Template } from 'aws-cdk-lib/assertions';
import { addCompliancePacks } from 'secure-llm-blueprint';
import { acknowledgmentSnapshot, assertNoUnacknowledgedFindings, newTestApp, removeTestOutdirs, synthWithCompliance } from 'secure-llm-blueprint/testing';
import { TEAM_SUPPORT_LLM, TeamLlmStack } from '../lib/team-llm-stack';

afterAll(removeTestOutdirs);

describe('TeamSupportLlm', () => {
  // GIVEN the app as bin/app.ts builds it, with this project's cdk.json feature flags
  const app = newTestApp();
  new TeamLlmStack(app, 'TeamSupportLlm', TEAM_SUPPORT_LLM);
  addCompliancePacks(app);
  // WHEN synthesized once with every check
  const result = synthWithCompliance(app, { packsAlreadyAdded: true });

  test('passes every compliance check with no unacknowledged finding', () => {
    assertNoUnacknowledgedFindings(result);
  });

  test('forces the guardrail on every model call and uses our key', () => {
    const template = Template.fromJSON(result.assembly.getStackByName('TeamSupportLlm').template);
    const policies = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
    expect(policies).toContain('bedrock:GuardrailIdentifier');
    // Our key encrypts the gateway's data; the others are the gateway API keys' HMAC key (it signs, never encrypts) and
    // the backup vault's own key (so deleting a data key cannot take the backups with it).
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys.map((k) => (k['Properties'] as { KeySpec?: string }).KeySpec ?? 'SYMMETRIC_DEFAULT').sort()).toEqual(['HMAC_256', 'SYMMETRIC_DEFAULT', 'SYMMETRIC_DEFAULT']);
    template.resourceCountIs('AWS::EC2::VPC', 0);
  });

  // The compliance snapshot: every acknowledged finding with its resource and reason. Adding, removing or
  // rewording one fails here until the change is reviewed (jest -u). A full-template snapshot would also change
  // with every aws-cdk-lib release, and this app always runs on the newest.
  test('matches the compliance snapshot of acknowledged findings', () => {
    expect(acknowledgmentSnapshot(app)).toMatchSnapshot();
  });
});
