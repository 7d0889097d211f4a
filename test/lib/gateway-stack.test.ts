import { App, Stack } from 'aws-cdk-lib';
import { AlertTopic } from '../../constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { GatewayStack } from '../../lib/gateway-stack';
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


function gateway(app: App, input: unknown = {}): GatewayStack {
  const config = parseConfig(input);
  return new GatewayStack(app, 'Gateway', { config: config.gateway, keyAdministratorRoleArns: config.keyAdministratorRoleArns });
}

describe('GatewayStack', () => {
  describe('defaults', () => {
    let template: Template;
    beforeAll(() => {
      // GIVEN the default configuration, environment-agnostic
      const app = newTestApp();
      gateway(app);
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN
      expect(formatFindings(findings)).toBe('');
      template = Template.fromJSON(assembly.getStackByName('Gateway').template);
    });

    test('passes all five cdk-nag packs, cfn-guard and the CloudFormation validator with zero unacknowledged findings', () => {
      expect(template).toBeDefined();
    });

    test('matches the reviewed snapshot (asset hashes scrubbed)', () => {
      expect(scrubAssetHashes(template.toJSON())).toMatchSnapshot();
    });

    test('outputs the OpenAI base URL, the user pool and the app client', () => {
      template.hasOutput('ApiUrl', {
        Value: {
          'Fn::Join': ['', Match.arrayWith(['https://', { Ref: Match.stringLikeRegexp('^GatewayApi') }, Match.stringLikeRegexp('/v1$')])],
        },
      });
      template.hasOutput('UserPoolId', { Value: { Ref: Match.stringLikeRegexp('^GatewayUserPool') } });
      template.hasOutput('UserPoolClientId', { Value: { Ref: Match.stringLikeRegexp('^GatewayUserPoolClient') } });
    });

    test('the application key encrypts the usage table, guardrail and function logs; the audit key the access, execution, WAF, flow and network-guard logs and the alerts', () => {
      template.resourceCountIs('AWS::KMS::Key', 4); // with the HMAC key of the gateway API keys and the backup vault's key
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Gateway/application' });
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Gateway/audit' });
      expect(keyOfEachEncryptedResource(template)).toEqual({
        GatewayUsageTable: 'Key',
        Guardrail: 'Key',
        GatewayFunctionLogs: 'Key',
        Alerts: 'AuditKey',
        AlertsDeadLetterQueue: 'AuditKey',
        GatewayAccessLogs: 'AuditKey',
        GatewayExecutionLogs: 'AuditKey',
        GatewayFirewallLogs: 'AuditKey',
        NetworkFlowLogs: 'AuditKey',
        // the network guard's evidence of what it changed, like the flow logs
        NetworkGuardHandlerLogs: 'AuditKey',
        NetworkGuardDeadLetterQueue: 'AuditKey',
        GatewayAccessAuthorizerLogs: 'Key',
        GatewayAccessKeysTable: 'Key',
      });
    });

    test('outputs what key administrators and callers need: keys table, HMAC key, admin policy, sign-in domain and scopes', () => {
      template.hasOutput('KeysTableName', { Value: { Ref: Match.stringLikeRegexp('^GatewayAccessKeysTable') } });
      template.hasOutput('KeysMacKeyArn', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayAccessMacKey'), 'Arn'] } });
      template.hasOutput('KeysAdminPolicyArn', { Value: { Ref: Match.stringLikeRegexp('^GatewayAccessKeysAdminPolicy') } });
      template.hasOutput('SignInDomainUrl', Match.anyValue());
      template.hasOutput('Scopes', { Value: 'llm-gateway/chat llm-gateway/models.read' });
    });

    test('security alarms notify an alert topic encrypted with the audit key, and a dashboard shows them', () => {
      const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^AuditKey'), 'Arn'] };
      template.resourceCountIs('AWS::SNS::Topic', 1);
      template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
      // No recipient configured: the one subscription is the deploy-time AlertEmail parameter (test/lib/alert-destination.test.ts).
      template.resourceCountIs('AWS::SNS::Subscription', 1);
      template.hasResourceProperties('AWS::SNS::Subscription', { Endpoint: { Ref: 'AlertEmail' } });
      const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm'));
      expect(alarms.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
        'MonitoringApi5xx',
        'MonitoringBedrockThrottles',
        'MonitoringBudgetAlerts',
        'MonitoringCanaryLeak',
        'MonitoringDailyTokenBudget',
        'MonitoringFunctionErrors',
        'MonitoringFunctionThrottles',
        'MonitoringGuardrailBlocks',
        'MonitoringGuardrailInterventionRate',
        'MonitoringGuardrailInterventionSpike',
        'MonitoringInputScreenBlocks',
        'MonitoringOutputScreenBlocks',
        'MonitoringQuotaRejections',
        'MonitoringToolCallBlocks',
        'MonitoringWafBlockedRequests',
      ]);
      for (const [, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Alerts/) }]);
        expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Alerts/) }]);
      }
      template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    });

    test('Bedrock throttling is watched for the configured model, and the daily token budget defaults to 5,000,000', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: { Namespace: 'AWS/Bedrock', MetricName: 'InvocationThrottles', Dimensions: [{ Name: 'ModelId', Value: 'amazon.nova-lite-v1:0' }] },
            }),
          }),
        ]),
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 5_000_000,
        Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Period: 86_400 }) })]),
      });
    });

    test('runs without an internet path, and sets the account\'s API Gateway logging role', () => {
      for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway']) {
        template.resourceCountIs(type, 0);
      }
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.65.0.0/22' });
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });

    describe('encryption', () => {
      test('no key policy grants the account root anything without a condition', () => {
        expect(unconditionedRootGrants(template)).toEqual([]);
      });

      test('every KMS grant to a role goes through a named AWS service (kms:ViaService)', () => {
        expect(kmsGrantsWithoutViaService(template)).toEqual([]);
      });

      test('the CloudFormation execution role that deploys the stack keeps administration of every key', () => {
        const admins = keyAdministrators(template);
        expect(Object.keys(admins).map((id) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['AuditKey', 'GatewayAccessMacKey', 'GatewayBackupKey', 'Key']);
        for (const arns of Object.values(admins)) {
          expect(arns).toEqual([DEFAULT_CFN_EXEC_ROLE]);
        }
      });

      test('principals of the account use the application key through Bedrock and DynamoDB only, the backup key through AWS Backup only, and the audit key not at all', () => {
        expect(viaServicesByKey(template)).toEqual({ Key: ['bedrock', 'dynamodb'], GatewayBackupKey: ['backup'] });
      });
    });
  });

  describe('configuration', () => {
    test('turning images on makes the guardrail filter images too', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const stack = new GatewayStack(app, 'Images', { config: parseConfig({ gateway: { limits: { maxImagesPerRequest: 2 } } }).gateway });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::Guardrail', {
        ContentPolicyConfig: { FiltersConfig: Match.arrayWith([Match.objectLike({ Type: 'SEXUAL', InputModalities: ['TEXT', 'IMAGE'] })]) },
      });
    });

    test('an existing user pool replaces the new one, and inference profiles are allowed in each of their regions', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const stack = gateway(app, {
        gateway: {
          existingUserPoolId: 'eu-west-1_AbCdEfGhI',
          models: {
            haiku: {
              modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
              inferenceProfile: { id: 'eu.anthropic.claude-3-5-haiku-20241022-v1:0', regions: ['eu-west-1', 'eu-central-1'] },
            },
          },
          groups: { staff: { models: ['haiku'] } },
          prescreenMode: 'flag',
        },
      });
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Cognito::UserPool', 0);
      template.resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: 'eu-west-1_AbCdEfGhI' });
      const policy = JSON.stringify(template.findResources('AWS::IAM::ManagedPolicy'));
      for (const region of ['eu-west-1', 'eu-central-1']) {
        expect(policy).toContain(`:bedrock:${region}::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0`);
      }
      expect(policy).toContain(':inference-profile/eu.anthropic.claude-3-5-haiku-20241022-v1:0');
    });

    test('monitoring settings reach the alarms: recipients, thresholds, budget and the inference profile the gateway calls', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const stack = gateway(app, {
        gateway: {
          models: {
            haiku: {
              modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
              inferenceProfile: { id: 'eu.anthropic.claude-3-5-haiku-20241022-v1:0', regions: ['eu-west-1', 'eu-central-1'] },
            },
          },
          groups: { staff: { models: ['haiku'] } },
          monitoring: {
            alertEmails: ['secops@example.com'],
            dailyTokenBudget: 42_000_000,
            guardrailInterventionRatePercent: 10,
            api5xxPer5Min: 9,
            guardrailInterventionAnomalyStdDevs: 3,
          },
        },
      });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'secops@example.com' });
      const thresholds = Object.fromEntries(
        Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, a]) => [id.replace(/[0-9A-F]{8}$/, ''), a.Properties.Threshold]),
      );
      expect(thresholds).toMatchObject({
        MonitoringDailyTokenBudget: 42_000_000,
        MonitoringGuardrailInterventionRate: 10,
        MonitoringApi5xx: 9,
        MonitoringCanaryLeak: 1,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanUpperThreshold' });
      expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).toContain(
        '{"Name":"ModelId","Value":"eu.anthropic.claude-3-5-haiku-20241022-v1:0"}',
      );
    });

    test('logRetentionDays sets the retention of every gateway log group', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const template = Template.fromStack(gateway(app, { gateway: { logRetentionDays: 731 } }));
      // THEN
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups.length).toBeGreaterThanOrEqual(4);
      for (const group of groups) {
        expect(group.Properties.RetentionInDays).toBe(731);
      }
    });

    test('gateway.api.createAccountCloudWatchRole false leaves the account\'s API Gateway logging role alone', () => {
      // GIVEN an account whose API Gateway CloudWatch role is managed elsewhere
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const template = Template.fromStack(gateway(app, { gateway: { api: { createAccountCloudWatchRole: false } } }));
      // THEN the stack neither sets the account setting nor creates a role API Gateway could assume
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
        expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).not.toContain('apigateway.amazonaws.com');
      }
    });

    test('without a configured DynamoDB prefix list the network guard resolves it, with no deploy-time parameter; a configured one wins', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      // WHEN
      const defaultStack = gateway(app);
      const configuredStack = new GatewayStack(app, 'Configured', { config: parseConfig({ gateway: { dynamoDbPrefixListId: 'pl-02cd2c6b' } }).gateway });
      const resolved = Template.fromStack(defaultStack);
      const configured = Template.fromStack(configuredStack);
      // THEN
      for (const t of [resolved, configured]) {
        expect(Object.keys(t.toJSON().Parameters ?? {}).filter((p) => p.includes('PrefixList'))).toEqual([]);
      }
      resolved.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        DestinationPrefixListId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkGuard'), 'DynamoDbPrefixListId'] },
      });
      resolved.hasResourceProperties('Custom::NetworkGuard', { PrefixListServices: ['dynamodb'] });
      configured.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: 'pl-02cd2c6b', FromPort: 443, ToPort: 443 });
      configured.hasResourceProperties('Custom::NetworkGuard', { PrefixListServices: Match.absent() });
    });

    test('a given alert topic replaces the stack\'s own', () => {
      // GIVEN
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      const alertTopic = new AlertTopic(new Stack(app, 'Shared'), 'Alerts');
      // WHEN
      const stack = new GatewayStack(app, 'Gateway', { config: parseConfig({}).gateway, alertTopic });
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::SNS::Topic', 0);
      expect(stack.monitoring.alertTopic).toBe(alertTopic);
    });

    test('keyAdministratorRoleArns may administer every key, next to the CloudFormation execution role', () => {
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      const admin = 'arn:aws:iam::111122223333:role/platform/KeyAdmins';
      const template = Template.fromStack(gateway(app, { keyAdministratorRoleArns: [admin] }));
      const admins = Object.values(keyAdministrators(template));
      expect(admins).toHaveLength(4);
      for (const arns of admins) {
        expect(arns).toEqual([DEFAULT_CFN_EXEC_ROLE, admin]);
      }
    });

    test('fails if alert emails are configured next to a given alert topic', () => {
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      const alertTopic = new AlertTopic(new Stack(app, 'Shared'), 'Alerts');
      const config = parseConfig({ gateway: { monitoring: { alertEmails: ['secops@example.com'] } } }).gateway;
      expect(() => new GatewayStack(app, 'Gateway', { config, alertTopic })).toThrow(
        /config\.monitoring\.alertEmails, alertTopicArn and alertsReachNobody only apply to the topic the gateway stack creates or imports, got \{"alertEmails":\["secops@example.com"\],"alertsReachNobody":false\} and an alertTopic/,
      );
    });

    test('fails if the account is pinned and the stack, used on its own, is given no alert destination', () => {
      // GIVEN a gateway stack outside the blueprint app, with no baseline topic to share
      const app = newTemplateApp({ 'aws:cdk:bundling-stacks': [] });
      const config = parseConfig({}).gateway;
      // THEN
      expect(() => new GatewayStack(app, 'Gateway', { config, env: { account: '123456789012', region: 'eu-west-1' } })).toThrow(
        /config\.monitoring\.alertEmails must name at least one recipient of security alerts: the account 123456789012 is pinned/,
      );
    });
  });
});
