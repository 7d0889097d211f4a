import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { INVOCATION_LOGGING_HANDLER_ACTIONS } from '../../constructs';
import { BaselineStack } from '../../lib/baseline-stack';
import { parseConfig } from '../../lib/config';
import { serviceControlPolicyOf } from '../../lib/organization/service-control-policy';
import { formatFindings, newTemplateApp, newTestApp, synthWithCompliance } from '../helpers/compliance';
import { scrubAssetHashes } from '../helpers/snapshot';
import {
  DEFAULT_CFN_EXEC_ROLE,
  keyAdministrators,
  keyOfEachEncryptedResource,
  kmsGrantsWithoutViaService,
  unconditionedRootGrants,
  viaServicesByKey,
} from '../helpers/key-policy';


const ENFORCED = { guardrailIdentifier: 'arn:aws:bedrock:us-east-1:111122223333:guardrail/abc123def456', guardrailVersion: '4' };
/** What profile "strict" requires besides the guardrail; these tests build the stacks without it (see test/lib/code-signing.test.ts). */
const SIGNED_CODE = { signedArtifactsFile: 'signed-artifacts.json' };

/**
 * Tests that read templates build them in a newTemplateApp (no CloudFormation schema validator): the two that pass every
 * check here synthesize with it, as do the whole app (test/lib/app-compliance.test.ts) and every committed configuration
 * (test/lib/environments), strict.json included.
 */
function baseline(app: App, input: unknown = {}): BaselineStack {
  return new BaselineStack(app, 'Baseline', { config: parseConfig(input).baseline });
}

describe('BaselineStack', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      const app = newTemplateApp();
      template = Template.fromStack(baseline(app, { baseline: { alertEmails: ['secops@example.com'] } }));
    });

    test('matches the reviewed snapshot (asset hashes scrubbed)', () => {
      expect(scrubAssetHashes(template.toJSON())).toMatchSnapshot();
    });

    test('deploys a trail, a GuardDuty detector, both alert rules and invocation logging', () => {
      template.resourceCountIs('AWS::CloudTrail::Trail', 1);
      template.resourceCountIs('AWS::GuardDuty::Detector', 1);
      template.resourceCountIs('AWS::Events::Rule', 2);
      template.resourceCountIs('Custom::BedrockModelInvocationLogging', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
    });

    test('the trail records management events and the four data event types', () => {
      const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0]!;
      const types = JSON.stringify(trail.Properties.AdvancedEventSelectors);
      for (const t of ['AWS::Bedrock::Guardrail', 'AWS::Bedrock::Model', 'AWS::Lambda::Function', 'AWS::S3::Object']) {
        expect(types).toContain(t);
      }
      expect(types).toContain('Management');
    });

    test('the invocation-logging handler reaches Bedrock only through a restricted endpoint', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.bedrock']] },
        PrivateDnsEnabled: true,
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: [...INVOCATION_LOGGING_HANDLER_ACTIONS].sort(),
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationLoggingHandlerRole'), 'Arn'] } },
              Resource: '*',
            }),
          ],
        },
      });
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: 's3:PutObject',
              // The exact regional response bucket, never a wildcard another account's bucket could match.
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':s3:::cloudformation-custom-resource-response-',
                    { 'Fn::Join': ['', { 'Fn::Split': ['-', { Ref: 'AWS::Region' }] }] },
                    '/*',
                  ],
                ],
              },
            }),
          ],
        },
      });
      const custom = Object.values(template.findResources('Custom::BedrockModelInvocationLogging'))[0]!;
      // The custom resource is deleted before the endpoints it answers through.
      expect(custom.DependsOn).toEqual(
        expect.arrayContaining([expect.stringMatching(/^NetworkBedrockEndpoint/), expect.stringMatching(/^NetworkS3Endpoint/)]),
      );
    });

    describe('encryption', () => {
      test('the audit key encrypts the trail, its bucket and log group, the flow logs and the alerts; the payload-log key what holds prompts and completions', () => {
        template.resourceCountIs('AWS::KMS::Key', 2);
        template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Baseline/audit' });
        template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Baseline/payload-logs' });
        expect(keyOfEachEncryptedResource(template)).toEqual({
          Alerts: 'Key',
          AlertsDeadLetterQueue: 'Key',
          TrailBucket: 'Key',
          TrailLogGroup: 'Key',
          Trail: 'Key',
          NetworkFlowLogs: 'Key',
          // the network guard's evidence of what it changed, like the flow logs
          NetworkGuardHandlerLogs: 'Key',
          NetworkGuardDeadLetterQueue: 'Key',
          InvocationLoggingLogGroup: 'PayloadLogKey',
          InvocationLoggingLargeDataBucket: 'PayloadLogKey',
          InvocationLoggingHandlerLogGroup: 'PayloadLogKey',
          InvocationLoggingDeadLetterQueue: 'PayloadLogKey',
        });
      });

      test('no key policy grants the account root anything without a condition', () => {
        expect(unconditionedRootGrants(template)).toEqual([]);
      });

      test('every KMS grant to a role goes through a named AWS service (kms:ViaService)', () => {
        expect(kmsGrantsWithoutViaService(template)).toEqual([]);
      });

      test('the CloudFormation execution role that deploys the stack keeps administration of both keys', () => {
        const admins = keyAdministrators(template);
        expect(Object.keys(admins).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['Key', 'PayloadLogKey']);
        for (const arns of Object.values(admins)) {
          expect(arns).toEqual([DEFAULT_CFN_EXEC_ROLE]);
        }
      });

      test('principals of the account use the payload-log key through S3 and SQS only, and the audit key not at all', () => {
        expect(viaServicesByKey(template)).toEqual({ PayloadLogKey: ['s3', 'sqs'] });
      });
    });
  });

  describe('invocation logging takeover', () => {
    test('baseline.invocationLogging.takeOverExisting reaches the custom resource, and the default does not take over', () => {
      // GIVEN
      const app = newTemplateApp();
      const taking = baseline(app, { baseline: { alertEmails: ['secops@example.com'], invocationLogging: { takeOverExisting: true } } });
      const byDefault = new BaselineStack(app, 'Default', { config: parseConfig({ baseline: { alertEmails: ['secops@example.com'] } }).baseline });
      // THEN
      Template.fromStack(taking).hasResourceProperties('Custom::BedrockModelInvocationLogging', { TakeOverExisting: true });
      const resource = Object.values(Template.fromStack(byDefault).findResources('Custom::BedrockModelInvocationLogging'))[0]!;
      expect(resource.Properties).not.toHaveProperty('TakeOverExisting');
    });
  });

  describe('parts managed outside this stack', () => {
    test('leaves out the trail, the detector and invocation logging but keeps the alerting rules, and still passes every check', () => {
      // GIVEN an account whose organization runs the trail, the detector and invocation logging
      const app = newTestApp();
      baseline(app, {
        baseline: {
          trail: { managedExternally: true },
          threatDetection: { detectorManagedExternally: true },
          invocationLogging: { managedExternally: true },
        },
      });
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Baseline').template);
      template.resourceCountIs('AWS::CloudTrail::Trail', 0);
      template.resourceCountIs('AWS::GuardDuty::Detector', 0);
      template.resourceCountIs('AWS::EC2::VPC', 0);
      template.resourceCountIs('AWS::Lambda::Function', 0);
      template.resourceCountIs('Custom::BedrockModelInvocationLogging', 0);
      template.resourceCountIs('AWS::Events::Rule', 2);
      template.resourceCountIs('AWS::SNS::Topic', 1);
      // Only the audit key, for the alert topic: no payload-log key without payload logs.
      template.resourceCountIs('AWS::KMS::Key', 1);
    });

    test('data event types can be switched off one by one', () => {
      const app = newTemplateApp();
      const template = Template.fromStack(
        baseline(app, {
          baseline: {
            trail: { dataEvents: { s3Objects: false, lambdaFunctions: false } },
            invocationLogging: { managedExternally: true },
          },
        }),
      );
      const trail = Object.values(template.findResources('AWS::CloudTrail::Trail'))[0]!;
      const selectors = JSON.stringify(trail.Properties.AdvancedEventSelectors);
      expect(selectors).toContain('AWS::Bedrock::Guardrail');
      expect(selectors).not.toContain('AWS::S3::Object');
      expect(selectors).not.toContain('AWS::Lambda::Function');
    });
  });

  describe('profile', () => {
    const lockModeOf = (input: unknown): unknown => {
      const template = Template.fromStack(baseline(newTemplateApp(), input));
      const buckets = Object.values(template.findResources('AWS::S3::Bucket', { Properties: { ObjectLockConfiguration: Match.anyValue() } }));
      expect(buckets).toHaveLength(1);
      return buckets[0]!.Properties.ObjectLockConfiguration.Rule.DefaultRetention.Mode;
    };
    const partsOff = { invocationLogging: { managedExternally: true }, alertsReachNobody: true };

    test('the standard profile locks the trail in GOVERNANCE mode, the strict one in COMPLIANCE mode', () => {
      expect(lockModeOf({ baseline: partsOff })).toBe('GOVERNANCE');
      expect(lockModeOf({ profile: 'strict', codeSigning: SIGNED_CODE, baseline: { ...partsOff, enforcedGuardrail: ENFORCED } })).toBe('COMPLIANCE');
    });

    test('baseline.trail.objectLockMode overrides the profile', () => {
      expect(lockModeOf({ profile: 'strict', codeSigning: SIGNED_CODE, baseline: { ...partsOff, enforcedGuardrail: ENFORCED, trail: { objectLockMode: 'GOVERNANCE' } } })).toBe('GOVERNANCE');
    });
  });

  describe('account-wide guardrails', () => {
    const partsOff = { invocationLogging: { managedExternally: true }, alertsReachNobody: true };

    test('no enforced guardrail and no organization policy by default', () => {
      const template = Template.fromStack(baseline(newTemplateApp(), { baseline: partsOff }));
      template.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 0);
      template.resourceCountIs('AWS::Organizations::Policy', 0);
    });

    test('the strict profile enforces the named guardrail version on every model call of the account', () => {
      // GIVEN / WHEN
      const template = Template.fromStack(baseline(newTemplateApp(), { profile: 'strict', codeSigning: SIGNED_CODE, baseline: { ...partsOff, enforcedGuardrail: ENFORCED } }));
      // THEN one configuration for all models (no ModelEnforcement) with the numeric version
      template.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 1);
      const [resource] = Object.values(template.findResources('AWS::Bedrock::EnforcedGuardrailConfiguration'));
      expect(resource!.Properties).toEqual({ GuardrailIdentifier: ENFORCED.guardrailIdentifier, GuardrailVersion: '4' });
    });

    test('the generated policy is written beside the templates and deployed only when asked, to the named targets', () => {
      // GIVEN
      const input = {
        baseline: {
          ...partsOff,
          enforcedGuardrail: ENFORCED,
          organizationPolicy: { enabled: true, deploy: true, targetIds: ['ou-ab12-cdef3456'], exemptRoleArnPatterns: ['arn:aws:iam::*:role/BreakGlass'] },
        },
      };
      const config = parseConfig(input);
      const app = newTemplateApp();
      // WHEN
      const stack = new BaselineStack(app, 'Baseline', { config: config.baseline, serviceControlPolicy: serviceControlPolicyOf(config) });
      const template = Template.fromStack(stack);
      // THEN
      const written = JSON.parse(fs.readFileSync(stack.serviceControlPolicyFile!, 'utf8')) as { Statement: { Sid: string }[] };
      expect(path.dirname(stack.serviceControlPolicyFile!)).toBe(app.outdir);
      expect(written.Statement.map((st) => st.Sid)).toEqual(['DenyModelsOutsideAllowList', 'DenyInvokeWithoutGuardrail', 'DenyBedrockApiKeys', 'ProtectInvocationLogging', 'ProtectTrail']);
      template.hasResourceProperties('AWS::Organizations::Policy', {
        Type: 'SERVICE_CONTROL_POLICY',
        TargetIds: ['ou-ab12-cdef3456'],
        Content: written,
      });
      // without deploy, the file only
      const fileOnly = parseConfig({ baseline: { ...input.baseline, organizationPolicy: { enabled: true, exemptRoleArnPatterns: [] } } });
      const second = new BaselineStack(newTemplateApp(), 'Baseline', { config: fileOnly.baseline, serviceControlPolicy: serviceControlPolicyOf(fileOnly) });
      Template.fromStack(second).resourceCountIs('AWS::Organizations::Policy', 0);
      expect(fs.existsSync(second.serviceControlPolicyFile!)).toBe(true);
    });

    test('the enforced guardrail and the deployed organization policy pass every check', () => {
      // GIVEN the management account's baseline (parts off: this test is about the two new resources)
      const config = parseConfig({
        baseline: {
          alertEmails: ['secops@example.com'],
          invocationLogging: { managedExternally: true },
          trail: { managedExternally: true },
          threatDetection: { detectorManagedExternally: true },
          enforcedGuardrail: ENFORCED,
          organizationPolicy: { enabled: true, deploy: true, targetIds: ['r-ab12'] },
        },
      });
      const app = newTestApp();
      new BaselineStack(app, 'Baseline', { config: config.baseline, serviceControlPolicy: serviceControlPolicyOf(config) });
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Baseline').template);
      template.resourceCountIs('AWS::Bedrock::EnforcedGuardrailConfiguration', 1);
      template.resourceCountIs('AWS::Organizations::Policy', 1);
    });

    test('fails if the organization policy is enabled but the stack is given none', () => {
      const config = parseConfig({ baseline: { ...partsOff, enforcedGuardrail: ENFORCED, organizationPolicy: { enabled: true } } });
      expect(() => new BaselineStack(newTemplateApp(), 'Baseline', { config: config.baseline })).toThrow(/organizationPolicy\.enabled is true but the BaselineStack was given no serviceControlPolicy/);
    });
  });
});
