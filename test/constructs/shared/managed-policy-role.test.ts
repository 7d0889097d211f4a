import { ArnFormat, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureLogGroup } from '../../../constructs';
import { LAMBDA_VPC_ACCESS_ACTIONS, ManagedPolicyRole } from '../../../constructs/shared/managed-policy-role';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

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
    test('Lambda execution statements are scoped to the log group, subnets, security group and VPC and pass every compliance check', () => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      const logGroup = new SecureLogGroup(stack, 'Logs');
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
        vpcId: 'vpc-0123456789abcdef0',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        isolatedSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
      });
      const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
      const subnetIds = vpc.isolatedSubnets.map((s) => s.subnetId);
      // WHEN
      new ManagedPolicyRole(stack, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'test',
        lambda: { logGroupArn: logGroup.logGroupArn, vpc: { vpc, subnetIds, securityGroups: [sg] }, tracing: true },
      });
      // THEN
      const { assembly, findings } = synthWithCompliance(app);
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName('Test').template);
      const statements = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))[0]!.Properties.PolicyDocument.Statement as Array<{
        Sid: string;
        Action: string | string[];
        Resource: unknown;
        Condition?: unknown;
      }>;
      const arn = (resource: string, id: string) =>
        stack.resolve(stack.formatArn({ service: 'ec2', resource, resourceName: id, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }));
      const eni = arn('network-interface', '*');
      expect(statements.map((s) => [s.Sid, s.Resource, s.Condition])).toEqual([
        ['WriteOwnLogs', { 'Fn::GetAtt': [expect.stringMatching(/^Logs/), 'Arn'] }, undefined],
        ['DescribeNetwork', '*', undefined],
        [
          'CreateNetworkInterfacesInOwnSubnets',
          expect.arrayContaining([eni, arn('subnet', 'subnet-0123456789abcdef0'), arn('subnet', 'subnet-0123456789abcdef1'), { 'Fn::Join': ['', [...arn('security-group', '')['Fn::Join'][1], { 'Fn::GetAtt': [expect.stringMatching(/^Sg/), 'GroupId'] }]] }]),
          undefined,
        ],
        ['ManageOwnVpcNetworkInterfaces', eni, { ArnEqualsIfExists: { 'ec2:Vpc': stack.resolve(vpc.vpcArn) } }],
        ['Tracing', '*', undefined],
      ]);
      expect(statements[2]!.Resource).toHaveLength(4);
    });

    test('no network-interface action is allowed on "*": only the two Describe actions are', () => {
      // GIVEN
      const stack = new Stack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc, allowAllOutbound: false });
      // WHEN
      new ManagedPolicyRole(stack, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: 'test',
        lambda: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:x', vpc: { vpc, subnetIds: ['subnet-1'], securityGroups: [sg] } },
      });
      // THEN
      const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::ManagedPolicy'))[0]!.Properties.PolicyDocument
        .Statement as Array<{ Action: string | string[]; Resource: unknown }>;
      const onStar = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
      expect(onStar.sort()).toEqual(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']);
      const granted = statements.flatMap((s) => [s.Action].flat());
      expect(LAMBDA_VPC_ACCESS_ACTIONS.filter((a) => !granted.includes(a))).toEqual([]);
    });
  });

  describe('validation', () => {
    test('fails if a VPC function has no subnet', () => {
      const stack = new Stack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const sg = new ec2.SecurityGroup(stack, 'Sg', { vpc });
      expect(
        () =>
          new ManagedPolicyRole(stack, 'Role', {
            assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
            description: 'test',
            lambda: { logGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:x', vpc: { vpc, subnetIds: [], securityGroups: [sg] } },
          }),
      ).toThrow(/at least one subnet and one security group .* got 0 subnets and 1 security groups/);
    });
  });
});
