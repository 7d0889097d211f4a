import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureLogGroup } from '../../../constructs';
import { ManagedPolicyRole } from '../../../constructs/shared/managed-policy-role';
import { formatFindings, newTestApp, synthWithCompliance } from '../../helpers/compliance';

describe('ManagedPolicyRole', () => {
  describe('grants', () => {
    test('grantXxx statements land in the managed policy and no inline policy is created', () => {
      // GIVEN
      const stack = new Stack();
      const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'test' });
      const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
      // WHEN
      table.grantReadData(role);
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['dynamodb:GetItem']) })]) },
      });
      template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [{ Ref: Match.stringLikeRegexp('^RolePolicy') }] });
    });

    test('the closed role drops what a function would add to it', () => {
      // GIVEN
      const stack = new Stack();
      const role = new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: 'test' });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:us-east-1:123456789012:q'] }));
      // WHEN a traced function adds its X-Ray statement to its role
      new lambda.Function(stack, 'Fn', {
        code: lambda.Code.fromInline('exports.handler = async () => {};'),
        handler: 'index.handler',
        runtime: lambda.Runtime.NODEJS_24_X,
        role: role.closedRole,
        tracing: lambda.Tracing.ACTIVE,
      });
      // THEN nothing reaches IAM: no inline policy, no AWS-managed policy
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::IAM::Policy', 0);
      expect(JSON.stringify(template.toJSON())).not.toContain('xray:');
      expect(JSON.stringify(template.toJSON())).not.toContain('AWSLambdaBasicExecutionRole');
    });
  });

  describe('defaults', () => {
    test('Lambda execution statements are scoped to the log group and pass every compliance check', () => {
      // GIVEN
      const app = newTestApp();
      const stack = new Stack(app, 'Test');
      const logGroup = new SecureLogGroup(stack, 'Logs');
      // WHEN
      new ManagedPolicyRole(stack, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'test',
        lambda: { logGroupArn: logGroup.logGroupArn, vpc: true, tracing: true },
      });
      // THEN
      const { assembly, findings } = synthWithCompliance(app);
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Test').template);
      const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]!.Properties.PolicyDocument.Statement as Array<{
        Sid: string;
        Resource: unknown;
      }>;
      expect(statements.map((s) => [s.Sid, s.Resource])).toEqual([
        ['WriteOwnLogs', { 'Fn::GetAtt': [expect.stringMatching(/^Logs/), 'Arn'] }],
        ['AttachToVpc', '*'],
        ['Tracing', '*'],
      ]);
    });
  });
});
