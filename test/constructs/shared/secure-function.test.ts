import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureFunction, SecureFunctionProps } from '../../../constructs/shared/secure-function';
import { findAcknowledgments } from '../../../lib/compliance/report';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['us-east-1a', 'us-east-1b'],
    isolatedSubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
    isolatedSubnetRouteTableIds: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'],
  });
}

function baseProps(stack: Stack): SecureFunctionProps {
  return {
    bundle: 'chunk-screen',
    description: 'test function',
    roleDescription: 'test role',
    logEncryptionKey: new kms.Key(stack, 'Key'),
    reservedConcurrentExecutions: 3,
  };
}

describe('SecureFunction', () => {
  describe('defaults', () => {
    test('a VPC function with a dead-letter queue: arm64, traced, reserved, JSON logs, companions named after the function', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test', { env: { account: '123456789012', region: 'us-east-1' } });
      const props = baseProps(stack);
      const queue = new sqs.Queue(stack, 'Dlq', { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.logEncryptionKey });
      // WHEN
      const fn = new SecureFunction(stack, 'Screen', {
        ...props,
        vpc: importedVpc(stack),
        securityGroupDescription: 'no inbound; HTTPS to S3 only',
        deadLetterQueue: queue,
        policyStatements: [new iam.PolicyStatement({ sid: 'Own', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/key'] })],
      });
      // THEN
      expect(['ScreenLogs', 'ScreenRole', 'ScreenSecurityGroup'].map((id) => stack.node.tryFindChild(id) !== undefined)).toEqual([true, true, true]);
      expect(fn.securityGroup).toBe(stack.node.findChild('ScreenSecurityGroup'));
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 1024,
        Timeout: 300,
        ReservedConcurrentExecutions: 3,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^ScreenLogs') } },
        VpcConfig: { SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^ScreenSecurityGroup'), 'GroupId'] }] },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Dlq'), 'Arn'] } },
      });
      template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
      // No inbound, and no outbound until the caller adds it (CDK's placeholder rule matches no traffic).
      template.hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'no inbound; HTTPS to S3 only',
        SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
        SecurityGroupIngress: Match.absent(),
      });
      template.resourceCountIs('AWS::IAM::Policy', 0);
      const policies = template.findResources('AWS::IAM::ManagedPolicy') as Record<string, { Properties: { PolicyDocument: { Statement: Array<{ Sid?: string }> } } }>;
      expect(Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement.map((s) => s.Sid))).toEqual([
        'WriteOwnLogs',
        'DescribeNetwork',
        'CreateNetworkInterfacesInOwnSubnets',
        'ManageOwnVpcNetworkInterfaces',
        'Tracing',
        'Own',
        'DeadLetter',
        'EncryptDeadLetters',
      ]);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'EncryptDeadLetters', Condition: { StringEquals: { 'kms:ViaService': 'sqs.us-east-1.amazonaws.com' } } }),
          ]),
        },
      });
      // The function waits for its policy: it can write its logs and reach its VPC from its first invocation.
      const [fnResource] = Object.values(template.findResources('AWS::Lambda::Function'));
      expect(fnResource?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^ScreenRolePolicy/)]));
      expect(findAcknowledgments(stack).filter((a) => a.path.startsWith('Test/Screen/'))).toEqual([]);
    });

    test('outside a VPC without a dead-letter queue, the stated reasons acknowledge exactly the findings they explain', () => {
      // GIVEN
      const stack = new Stack(undefined, 'Test');
      // WHEN
      new SecureFunction(stack, 'Screen', { ...baseProps(stack), outsideVpcReason: 'why outside', noDeadLetterQueueReason: 'why no queue' });
      // THEN
      const acks = findAcknowledgments(stack).filter((a) => a.path === 'Test/Screen/Resource');
      expect(acks.map((a) => [a.id, a.reason]).sort()).toEqual(
        [
          ['Annotation::HIPAA.Security-LambdaDLQ', 'why no queue'],
          ['Annotation::HIPAA.Security-LambdaInsideVPC', 'why outside'],
          ['Annotation::NIST.800.53.R5-LambdaDLQ', 'why no queue'],
          ['Annotation::NIST.800.53.R5-LambdaInsideVPC', 'why outside'],
          ['Annotation::PCI.DSS.321-LambdaInsideVPC', 'why outside'],
          ['Annotation::Serverless-LambdaDLQ', 'why no queue'],
          ['cdk-validator-cfnguard::lambda_inside_vpc_check', 'why outside'],
        ].sort(),
      );
      expect(stack.node.tryFindChild('ScreenSecurityGroup')).toBeUndefined();
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.absent(), DeadLetterConfig: Match.absent() });
    });
  });

  describe('adoption', () => {
    test('a construct whose log group predates this class keeps its id, and a data file ships beside the bundle', () => {
      // GIVEN
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-function-'));
      try {
        const app = new App({ outdir });
        const stack = new Stack(app, 'Test');
        // WHEN
        new SecureFunction(stack, 'Verify', {
          ...baseProps(stack),
          outsideVpcReason: 'why',
          noDeadLetterQueueReason: 'sync',
          logGroupId: 'VerifyLogGroup',
          bundleFileName: 'config.json',
          bundleFileContents: '{"a":1}',
        });
        app.synth();
        // THEN
        expect([stack.node.tryFindChild('VerifyLogGroup') !== undefined, stack.node.tryFindChild('VerifyLogs')]).toEqual([true, undefined]);
        const staged = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.') && fs.existsSync(path.join(outdir, d, 'config.json')));
        expect(staged.map((d) => [fs.readFileSync(path.join(outdir, d, 'config.json'), 'utf8'), fs.existsSync(path.join(outdir, d, 'index.js'))])).toEqual([['{"a":1}', true]]);
      } finally {
        fs.rmSync(outdir, { recursive: true, force: true });
      }
    });
  });

  describe('validation', () => {
    test('fails if the function is outside a VPC and no reason says why', () => {
      const stack = new Stack();
      expect(() => new SecureFunction(stack, 'Fn', { ...baseProps(stack), noDeadLetterQueueReason: 'sync' })).toThrow(/outsideVpcReason must say why/);
    });

    test('fails if a VPC function is also given an outside-VPC reason', () => {
      const stack = new Stack();
      const vpc = importedVpc(stack);
      expect(
        () => new SecureFunction(stack, 'Fn', { ...baseProps(stack), vpc, securityGroupDescription: 'd', outsideVpcReason: 'no', noDeadLetterQueueReason: 'sync' }),
      ).toThrow(/outsideVpcReason is only for a function outside a VPC, got "no"/);
    });

    test('fails if a VPC function has no security-group description', () => {
      const stack = new Stack();
      const vpc = importedVpc(stack);
      expect(() => new SecureFunction(stack, 'Fn', { ...baseProps(stack), vpc, noDeadLetterQueueReason: 'sync' })).toThrow(/securityGroupDescription must be given with vpc/);
    });

    test('fails if there is neither a dead-letter queue nor a reason for none', () => {
      const stack = new Stack();
      expect(() => new SecureFunction(stack, 'Fn', { ...baseProps(stack), outsideVpcReason: 'why' })).toThrow(/noDeadLetterQueueReason must say why/);
    });

    test('fails if a bundle data file has a name but no contents', () => {
      const stack = new Stack();
      expect(() => new SecureFunction(stack, 'Fn', { ...baseProps(stack), outsideVpcReason: 'why', noDeadLetterQueueReason: 'sync', bundleFileName: 'config.json' })).toThrow(
        /bundleFileName and bundleFileContents go together, got only bundleFileName "config.json"/,
      );
    });

    test('fails if a function with a dead-letter queue is also given a reason for none', () => {
      const stack = new Stack();
      const deadLetterQueue = new sqs.Queue(stack, 'Dlq');
      expect(() => new SecureFunction(stack, 'Fn', { ...baseProps(stack), outsideVpcReason: 'why', deadLetterQueue, noDeadLetterQueueReason: 'x' })).toThrow(
        /noDeadLetterQueueReason is only for a function without a dead-letter queue, got "x"/,
      );
    });
  });
});
