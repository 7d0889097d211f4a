import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { GatewayStack } from '../../lib/gateway-stack';
import { formatFindings, newTestApp, synthWithCompliance } from '../helpers/compliance';

/** Replaces content hashes of assets so the snapshot changes only when the template does. */
function scrubAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}(\.zip|\.json)?/g, '[ASSET HASH]$1'));
}

function gateway(app: App, input: unknown = {}): GatewayStack {
  return new GatewayStack(app, 'Gateway', { config: parseConfig(input).gateway });
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

    test('one key with an alias encrypts the flow logs, gateway logs, usage table and guardrail', () => {
      template.resourceCountIs('AWS::KMS::Key', 1);
      template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/Gateway/gateway' });
      const keyArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] };
      template.hasResourceProperties('AWS::Bedrock::Guardrail', { KmsKeyArn: keyArn });
      template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: Match.objectLike({ KMSMasterKeyId: keyArn }) });
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
      }
    });

    test('runs without an internet path, and sets the account\'s API Gateway logging role', () => {
      for (const type of ['AWS::EC2::InternetGateway', 'AWS::EC2::NatGateway']) {
        template.resourceCountIs(type, 0);
      }
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.65.0.0/22' });
      template.resourceCountIs('AWS::ApiGateway::Account', 1);
    });
  });

  describe('configuration', () => {
    test('an existing user pool replaces the new one, and inference profiles are allowed in each of their regions', () => {
      // GIVEN
      const app = newTestApp({ 'aws:cdk:bundling-stacks': [] });
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
  });
});
