import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AccessLogsBucket } from '../../../constructs/access-logs-bucket';
import { AuditTrail } from '../../../constructs/audit-trail';
import {
  cloudFormationResponseObjectsArn,
  INVOCATION_LOGGING_HANDLER_ACTIONS,
  ModelInvocationLogging,
  type ModelInvocationLoggingProps,
} from '../../../constructs/invocation-logging';
import { type Finding, formatFindings, newConstructTestApp, readFindings, synthWithCompliance } from '../../helpers/compliance';
import { kmsGrantsWithoutViaService } from '../../helpers/key-policy';
import { lambdaBundleDir } from '../../../constructs/shared/lambda-bundle';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

/** `arn:<partition>:bedrock:eu-west-1:123456789012:*`, as the construct renders it. */
const BEDROCK_SOURCE_ARN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':bedrock:eu-west-1:123456789012:*']] };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string }>;

/** A stack with an isolated-only VPC; bundling is skipped (the compliance test bundles for real). */
function setup(props: Partial<ModelInvocationLoggingProps> = {}, vpcProps: ec2.VpcProps = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    ...vpcProps,
  });
  const logging = new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, ...props });
  return { stack, vpc, logging, template: () => Template.fromStack(stack) };
}

function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as never);
}

function onlyResource(template: Template, type: string, props: Record<string, unknown> = {}) {
  const found = template.findResources(type, props ? { Properties: Match.objectLike(props) } : undefined) as Resources;
  const entries = Object.entries(found);
  expect(entries).toHaveLength(1);
  return { id: entries[0]![0], ...entries[0]![1] };
}

describe('ModelInvocationLogging', () => {
  describe('defaults', () => {
    test('the handler is a hardened arm64 Lambda in the isolated subnets, and the only function', () => {
      // GIVEN
      const { stack, vpc, logging, template } = setup();
      // WHEN
      const t = template();
      // THEN
      t.resourceCountIs('AWS::Lambda::Function', 1);
      t.resourceCountIs('Custom::LogRetention', 0);
      t.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 120,
        ReservedConcurrentExecutions: 1,
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
        VpcConfig: {
          SubnetIds: vpc.isolatedSubnets.map((s) => ({ Ref: logicalId(stack, s as ec2.Subnet) })),
          SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationLoggingHandlerSecurityGroup'), 'GroupId'] }],
        },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationLoggingDeadLetterQueue'), 'Arn'] } },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^InvocationLoggingHandlerLogGroup') } },
      });
      expect(logging.function.runtime.name).toBe('nodejs24.x');
    });

    test('the handler log group and dead-letter queue are KMS-encrypted and retained', () => {
      const { template } = setup();
      const t = template();
      const key = onlyResource(t, 'AWS::KMS::Key');
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: { KmsKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] }, RetentionInDays: 365, DataProtectionPolicy: Match.absent() },
        DeletionPolicy: 'Retain',
      });
      t.hasResource('AWS::SQS::Queue', {
        Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] }, RedriveAllowPolicy: { redrivePermission: 'denyAll' } },
        DeletionPolicy: 'Retain',
      });
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    test('the handler security group admits nothing and sends nothing until the caller connects it to its endpoints', () => {
      const { template, logging } = setup();
      const sg = onlyResource(template(), 'AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('invocation-logging handler') });
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      // CDK's placeholder for "no egress": a rule no packet can match.
      expect(sg.Properties.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' })]);
      expect(JSON.stringify(template().toJSON())).not.toContain('0.0.0.0/0');
      expect(logging.connections.securityGroups).toHaveLength(1);
    });

    test('the handler may create network interfaces only in its subnets with its security group', () => {
      const { template, vpc, stack } = setup();
      const policy = onlyResource(template(), 'AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('custom resource handler') });
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<{ Sid: string; Action: unknown; Resource: unknown; Condition?: unknown }> })
        .Statement;
      const create = statements.find((s) => s.Sid === 'CreateNetworkInterfacesInOwnSubnets')!;
      expect(create.Action).toBe('ec2:CreateNetworkInterface');
      const resources = JSON.stringify(create.Resource);
      for (const subnet of vpc.isolatedSubnets) {
        expect(resources).toContain(JSON.stringify(stack.resolve(subnet.subnetId)));
      }
      expect(resources).toContain('InvocationLoggingHandlerSecurityGroup');
      expect(resources).toContain(':network-interface/*');
      const manage = statements.find((s) => s.Sid === 'ManageOwnVpcNetworkInterfaces')!;
      expect(manage.Condition).toEqual({ ArnEqualsIfExists: { 'ec2:Vpc': stack.resolve(vpc.vpcArn) } });
    });

    test('the handler may do exactly what it needs, through one customer-managed policy', () => {
      // GIVEN
      const { template } = setup();
      const t = template();
      // THEN: no inline or AWS-managed policies anywhere
      t.resourceCountIs('AWS::IAM::Policy', 0);
      const role = onlyResource(t, 'AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] }),
      });
      expect(role.Properties.Policies).toBeUndefined();
      const policy = onlyResource(t, 'AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('custom resource handler') });
      expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: policy.id }]);
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown; Sid: string }> })
        .Statement;
      const actions = statements.flatMap((s) => [s.Action].flat()).sort();
      expect(actions).toEqual(
        [
          ...INVOCATION_LOGGING_HANDLER_ACTIONS,
          'iam:PassRole',
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
          'xray:PutTraceSegments',
          'xray:PutTelemetryRecords',
          'logs:CreateLogStream',
          'logs:PutLogEvents',
          'sqs:SendMessage',
          'kms:GenerateDataKey',
          'kms:Decrypt',
        ].sort(),
      );
      const bedrock = statements.find((s) => s.Sid === 'ManageInvocationLoggingConfiguration')!;
      expect(bedrock.Action).toEqual([
        'bedrock:PutModelInvocationLoggingConfiguration',
        'bedrock:DeleteModelInvocationLoggingConfiguration',
        'bedrock:GetModelInvocationLoggingConfiguration',
      ]);
      const passRole = statements.find((s) => s.Action === 'iam:PassRole')!;
      expect(passRole.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^InvocationLoggingDeliveryRole/), 'Arn'] });
      expect(passRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } });
      // Only actions without resource-level permissions use "*"; of EC2, only the Describe actions.
      const wildcard = statements.filter((s) => s.Resource === '*').flatMap((s) => [s.Action].flat());
      expect(wildcard.every((a) => /^(bedrock:\w+ModelInvocationLoggingConfiguration|xray:|ec2:Describe(NetworkInterfaces|Subnets)$)/.test(a))).toBe(true);
    });

    test('without takeOverExisting the custom resource does not ask to take over, and no other role may be passed', () => {
      const t = setup().template();
      const resource = onlyResource(t, 'Custom::BedrockModelInvocationLogging');
      expect(resource.Properties).not.toHaveProperty('TakeOverExisting');
      expect(JSON.stringify(t.toJSON())).not.toContain('RestoreTakenOverConfiguration');
    });

    test('takeOverExisting asks the handler to take over and lets it pass roles of this account to Bedrock only', () => {
      // GIVEN
      const t = setup({ takeOverExisting: true }).template();
      // THEN
      t.hasResourceProperties('Custom::BedrockModelInvocationLogging', { TakeOverExisting: true });
      const policy = onlyResource(t, 'AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('custom resource handler') });
      const statements = (policy.Properties.PolicyDocument as { Statement: Array<Record<string, unknown>> }).Statement;
      expect(statements.find((s) => s.Sid === 'RestoreTakenOverConfiguration')).toEqual({
        Sid: 'RestoreTakenOverConfiguration',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/*']] },
        Condition: { StringEquals: { 'iam:PassedToService': 'bedrock.amazonaws.com' } },
      });
    });

    test('the delivery role trusts only Bedrock acting for this account and region, and may only write the logs', () => {
      const { template } = setup();
      const t = template();
      const role = onlyResource(t, 'AWS::IAM::Role', {
        AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'bedrock.amazonaws.com' } })] }),
      });
      expect((role.Properties.AssumeRolePolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': '123456789012' },
            ArnLike: { 'aws:SourceArn': BEDROCK_SOURCE_ARN },
          },
        },
      ]);
      const policy = onlyResource(t, 'AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('delivering') });
      expect(role.Properties.ManagedPolicyArns).toEqual([{ Ref: policy.id }]);
      const logGroup = onlyResource(t, 'AWS::Logs::LogGroup', { DataProtectionPolicy: Match.anyValue() });
      const bucket = onlyResource(t, 'AWS::S3::Bucket', { BucketEncryption: Match.objectLike({}), LoggingConfiguration: Match.anyValue() });
      const key = onlyResource(t, 'AWS::KMS::Key');
      expect((policy.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
        expect.objectContaining({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [logGroup.id, 'Arn'] } }),
        expect.objectContaining({
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, '/model-invocations/*']] },
        }),
        expect.objectContaining({ Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': [key.id, 'Arn'] } }),
      ]);
    });

    test('the invocation log group masks personal data, is KMS-encrypted and kept a year', () => {
      const { template } = setup();
      const t = template();
      const key = onlyResource(t, 'AWS::KMS::Key');
      t.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [key.id, 'Arn'] },
          RetentionInDays: 365,
          DataProtectionPolicy: Match.objectLike({
            Statement: Match.arrayWith([
              Match.objectLike({ Operation: { Audit: Match.anyValue() } }),
              Match.objectLike({ Operation: { Deidentify: { MaskConfig: {} } } }),
            ]),
          }),
        },
        DeletionPolicy: 'Retain',
      });
    });

    test('the large-payload bucket is KMS-encrypted, versioned, private, TLS-only, logged and writable only by Bedrock of this account', () => {
      const { template } = setup();
      const t = template();
      const key = onlyResource(t, 'AWS::KMS::Key');
      const accessLogs = onlyResource(t, 'AWS::S3::Bucket', { LoggingConfiguration: Match.absent() });
      const bucket = onlyResource(t, 'AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() });
      expect(bucket.DeletionPolicy).toBe('Retain');
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key.id, 'Arn'] } } },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogs.id }, LogFilePrefix: 'large-data-bucket/' },
        LifecycleConfiguration: { Rules: [expect.objectContaining({ Status: 'Enabled', ExpirationInDays: 365 })] },
        ObjectLockEnabled: true,
      });
      expect(accessLogs.Properties).toMatchObject({
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        // Access logs live as long as the invocation logs they describe.
        LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 365 })] },
      });
      // S3 server access logging cannot deliver to a bucket with Object Lock enabled.
      expect(accessLogs.Properties).not.toHaveProperty('ObjectLockEnabled');
      expect(accessLogs.id).toMatch(/^InvocationLoggingAccessLogsBucket/);
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucket.id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            {
              Sid: 'AllowBedrockLargeDataDelivery',
              Effect: 'Allow',
              Principal: { Service: 'bedrock.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, '/model-invocations/*']] },
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: { 'aws:SourceArn': BEDROCK_SOURCE_ARN },
              },
            },
          ]),
        },
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: accessLogs.id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*' }),
            Match.objectLike({
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucket.id, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
            }),
          ]),
        },
      });
    });

    test('the custom resource carries the configuration and waits for what Bedrock validates', () => {
      const { template } = setup();
      const t = template();
      const fn = onlyResource(t, 'AWS::Lambda::Function');
      const logGroup = onlyResource(t, 'AWS::Logs::LogGroup', { DataProtectionPolicy: Match.anyValue() });
      const bucket = onlyResource(t, 'AWS::S3::Bucket', { LoggingConfiguration: Match.anyValue() });
      const cr = onlyResource(t, 'Custom::BedrockModelInvocationLogging');
      expect(cr.Properties).toEqual({
        ServiceToken: { 'Fn::GetAtt': [fn.id, 'Arn'] },
        ServiceTimeout: '300',
        LogGroupName: { Ref: logGroup.id },
        DeliveryRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^InvocationLoggingDeliveryRole/), 'Arn'] },
        LargeDataBucketName: { Ref: bucket.id },
        LargeDataKeyPrefix: 'model-invocations',
        TextDataDeliveryEnabled: true,
        ImageDataDeliveryEnabled: true,
        EmbeddingDataDeliveryEnabled: true,
        VideoDataDeliveryEnabled: true,
        AudioDataDeliveryEnabled: true,
      });
      expect(cr.DependsOn).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^InvocationLoggingDeliveryPolicy/),
          expect.stringMatching(/^InvocationLoggingLargeDataBucketPolicy/),
          logGroup.id,
        ]),
      );
    });

    test('custom properties reach the configuration', () => {
      // GIVEN
      const { logging, template } = setup({
        imageDataDelivery: false,
        videoDataDelivery: false,
        largeDataDelivery: false,
        logRetention: logs.RetentionDays.TWO_YEARS,
      });
      const t = template();
      // THEN
      expect(logging.bucket).toBeUndefined();
      t.resourceCountIs('AWS::S3::Bucket', 0);
      const cr = onlyResource(t, 'Custom::BedrockModelInvocationLogging');
      expect(cr.Properties).toMatchObject({ ImageDataDeliveryEnabled: false, VideoDataDeliveryEnabled: false, TextDataDeliveryEnabled: true });
      expect(cr.Properties).not.toHaveProperty('LargeDataBucketName');
      t.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 731 });
      const delivery = onlyResource(t, 'AWS::IAM::ManagedPolicy', { Description: Match.stringLikeRegexp('delivering') });
      expect(JSON.stringify(delivery.Properties)).not.toMatch(/s3:|kms:/);
    });

    test('a caller-chosen removal policy applies to every stateful child', () => {
      const { template } = setup({ removalPolicy: RemovalPolicy.DESTROY });
      const t = template();
      for (const type of ['AWS::KMS::Key', 'AWS::Logs::LogGroup', 'AWS::S3::Bucket', 'AWS::SQS::Queue']) {
        const all = Object.values(t.findResources(type)) as Array<{ DeletionPolicy?: string }>;
        expect(all.length).toBeGreaterThan(0);
        expect(all.map((r) => r.DeletionPolicy)).toEqual(all.map(() => 'Delete'));
      }
    });

    test('a shared access-log bucket receives the large-payload bucket\'s logs next to the trail\'s, and none of its own is created', () => {
      // GIVEN: one access-log bucket for the stack, shared with an audit trail
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const shared = new AccessLogsBucket(stack, 'AccessLogs');
      const trail = new AuditTrail(stack, 'Trail', { serverAccessLogsBucket: shared });
      // WHEN
      const logging = new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, serverAccessLogsBucket: shared });
      // THEN
      const t = Template.fromStack(stack);
      expect(logging.accessLogsBucket).toBe(shared.bucket);
      t.resourceCountIs('AWS::S3::Bucket', 3); // the shared, trail and large-payload buckets
      const sharedId = logicalId(stack, shared.bucket);
      const sources = [
        { prefix: 'trail-bucket/', id: logicalId(stack, trail.bucket) },
        { prefix: 'large-data-bucket/', id: logicalId(stack, logging.bucket!) },
      ];
      for (const { prefix, id } of sources) {
        expect(t.findResources('AWS::S3::Bucket')[id]!.Properties.LoggingConfiguration).toEqual({
          DestinationBucketName: { Ref: sharedId },
          LogFilePrefix: prefix,
        });
      }
      const policy = onlyResource(t, 'AWS::S3::BucketPolicy', { Bucket: { Ref: sharedId } });
      const allows = (policy.Properties.PolicyDocument as { Statement: Array<{ Effect: string; Resource: unknown; Condition: unknown }> })
        .Statement.filter((st) => st.Effect === 'Allow');
      expect(allows.map((st) => [st.Resource, st.Condition])).toEqual(
        sources.map(({ prefix, id }) => [
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [sharedId, 'Arn'] }, `/${prefix}*`]] },
          { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [id, 'Arn'] } }, StringEquals: { 'aws:SourceAccount': '123456789012' } },
        ]),
      );
    });

    test('a shared access-log bucket is left alone when large payloads are not delivered', () => {
      // GIVEN
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      const shared = new AccessLogsBucket(stack, 'AccessLogs');
      // WHEN
      const logging = new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, serverAccessLogsBucket: shared, largeDataDelivery: false });
      // THEN
      expect(logging.accessLogsBucket).toBeUndefined();
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::S3::Bucket', 1);
      const policy = onlyResource(t, 'AWS::S3::BucketPolicy');
      expect(JSON.stringify(policy.Properties)).not.toContain('logging.s3.amazonaws.com');
    });

    test('handler subnets can be chosen', () => {
      // GIVEN
      const { stack, vpc, template } = setup(
        { vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } },
        {
          natGateways: 1,
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
            { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          ],
        },
      );
      // THEN
      template().hasResourceProperties('AWS::Lambda::Function', {
        VpcConfig: Match.objectLike({ SubnetIds: vpc.privateSubnets.map((s) => ({ Ref: logicalId(stack, s as ec2.Subnet) })) }),
      });
    });

    test('a VPC endpoint can admit the handler through its connections', () => {
      const { vpc, logging, template } = setup();
      const endpoint = vpc.addInterfaceEndpoint('Bedrock', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK });
      endpoint.connections.allowFrom(logging, ec2.Port.tcp(443));
      template().hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InvocationLoggingHandlerSecurityGroup'), 'GroupId'] },
      });
    });
  });

  describe('encryption', () => {
    test('a given key encrypts everything, and Bedrock and CloudWatch Logs are admitted to it with conditions', () => {
      // GIVEN
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      // WHEN
      const logging = new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, encryptionKey: key });
      // THEN
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::KMS::Key', 1);
      expect(logging.encryptionKey).toBe(key);
      const keyArn = { 'Fn::GetAtt': [logicalId(stack, key), 'Arn'] };
      t.allResourcesProperties('AWS::Logs::LogGroup', { KmsKeyId: keyArn });
      t.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: keyArn });
      t.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'AllowCloudWatchLogsForThisAccount' }),
            Match.objectLike({
              Sid: 'AllowBedrockLargeDataEncryption',
              Principal: { Service: 'bedrock.amazonaws.com' },
              Action: 'kms:GenerateDataKey',
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: { 'aws:SourceArn': BEDROCK_SOURCE_ARN },
              },
            }),
          ]),
        },
      });
    });

    test('an imported key is used as is, with a warning about the statements its policy needs', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      const stack = new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
      const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
      const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, encryptionKey: key });
      Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
      Annotations.fromStack(stack).hasWarning('/Test/InvocationLogging', Match.stringLikeRegexp('must already allow bedrock.amazonaws.com'));
    });
  });

  describe('grants', () => {
    test('grantReadLogs lets an auditor read the records and the payloads, decrypting through S3 only', () => {
      // GIVEN
      const { stack, logging, template } = setup();
      const auditor = new iam.Role(stack, 'Auditor', { assumedBy: new iam.AccountRootPrincipal() });
      // WHEN
      logging.grantReadLogs(auditor);
      // THEN
      const policy = onlyResource(template(), 'AWS::IAM::Policy');
      const text = JSON.stringify(policy.Properties);
      expect(text).toMatch(/logs:FilterLogEvents/);
      expect(text).toMatch(/s3:GetObject/);
      expect(text).toMatch(/kms:Decrypt/);
      expect(text).toContain('/model-invocations/*');
      expect(kmsGrantsWithoutViaService(template())).toEqual([]);
    });
  });

  describe('validation', () => {
    test('fails if every data delivery is off', () => {
      expect(() =>
        setup({ textDataDelivery: false, imageDataDelivery: false, embeddingDataDelivery: false, videoDataDelivery: false, audioDataDelivery: false }),
      ).toThrow(/At least one of textDataDelivery, .* must be true, got all false/);
    });
    test('fails if logRetention is infinite', () => {
      expect(() => setup({ logRetention: logs.RetentionDays.INFINITE })).toThrow(
        /logRetention must be a finite period .* got RetentionDays.INFINITE/,
      );
    });
    test('fails if the VPC has no subnets of the selected type', () => {
      expect(() =>
        setup({}, { natGateways: 1, subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }, { name: 'private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }] }),
      ).toThrow(/vpcSubnets selects no subnets of the VPC \(.*Isolated.*\)/);
    });
    test('fails if vpcSubnets selects public subnets', () => {
      expect(() =>
        setup(
          { vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } },
          { subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC }] },
        ),
      ).toThrow(/vpcSubnets must select at least one private or isolated subnet and no public subnet, got \[/);
    });
    test('fails if a stack holds two of them', () => {
      const { stack, vpc } = setup();
      expect(() => new ModelInvocationLogging(stack, 'Second', { vpc })).toThrow(
        /Only one ModelInvocationLogging may exist per stack .* got a second one at Test\/Second next to Test\/InvocationLogging/,
      );
    });
  });

  describe('compliance', () => {
    let findings: Finding[];
    let outdir: string;

    beforeAll(() => {
      // GIVEN: a plain VPC with only isolated subnets, and the construct, synthesized once with every pack
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      const vpc = new ec2.Vpc(stack, 'Vpc', {
        natGateways: 0,
        subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
      });
      // takeOverExisting: the default's statements plus the PassRole grant it adds.
      new ModelInvocationLogging(stack, 'InvocationLogging', { vpc, takeOverExisting: true });
      // WHEN
      try {
        ({ findings } = synthWithCompliance(app));
      } catch {
        // The helper rethrows when synthesis stops with «ValidationFailed» (its pattern expects "Validation failed");
        // the report is on disk either way.
        findings = readFindings(app.outdir);
      }
      outdir = app.outdir;
    });

    test('has no unacknowledged finding', () => {
      // The report was read: the bare test VPC (no flow logs) has findings of its own.
      expect(findings.some((f) => f.path.startsWith('Test/Vpc'))).toBe(true);
      expect(formatFindings(findings.filter((f) => f.path.startsWith('Test/InvocationLogging')))).toBe('');
    });

    test('deploys the pre-built, minified handler byte for byte, with its own Bedrock SDK and no source map', () => {
      const bundles = fs
        .readdirSync(outdir)
        .filter((d) => d.startsWith('asset.'))
        .map((d) => path.join(outdir, d))
        .filter((d) => fs.existsSync(path.join(d, 'index.js')) && fs.readFileSync(path.join(d, 'index.js'), 'utf8').includes('"/logging/modelinvocations"'));
      expect(bundles).toHaveLength(1);
      const files = fs.readdirSync(bundles[0]!);
      expect(files).toEqual(['index.js']);
      const code = fs.readFileSync(path.join(bundles[0]!, 'index.js'), 'utf8');
      expect(code).not.toContain('sourceMappingURL');
      expect(code.length / code.split('\n').length).toBeGreaterThan(1_000); // minified: long lines
      expect(code).toContain('PutModelInvocationLoggingConfiguration');
      expect(fs.readFileSync(path.join(bundles[0]!, 'index.js')).equals(fs.readFileSync(path.join(lambdaBundleDir('invocation-logging'), 'index.js')))).toBe(true);
    });
  });
});

describe('cloudFormationResponseObjectsArn', () => {
  test.each([
    ['us-east-1', 'cloudformation-custom-resource-response-useast1'],
    ['eu-west-1', 'cloudformation-custom-resource-response-euwest1'],
    ['ap-southeast-2', 'cloudformation-custom-resource-response-apsoutheast2'],
  ])('names the exact response bucket of %s, the host of its ResponseURLs', (region, bucket) => {
    // GIVEN
    const stack = new Stack(new App(), 'Pinned', { env: { account: '111122223333', region } });
    // WHEN
    const resolved = stack.resolve(cloudFormationResponseObjectsArn(stack));
    // THEN
    expect(resolved).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${bucket}/*`]] });
  });

  test('derives the bucket from AWS::Region when the stack is environment-agnostic', () => {
    // GIVEN
    const stack = new Stack();
    // WHEN
    const resolved = stack.resolve(cloudFormationResponseObjectsArn(stack));
    // THEN no wildcard: the region without dashes is spliced in at deploy time
    expect(JSON.stringify(resolved)).not.toContain('*/');
    expect(resolved).toEqual({
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
    });
  });
});
