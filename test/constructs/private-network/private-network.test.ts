import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { PrivateNetwork, PrivateNetworkProps } from '../../../constructs/private-network';
import { latestNodeRuntime } from '../../../constructs/shared/lambda-bundle';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

const MODEL_ARN = 'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-lite-v1:0';
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/quota';

/** A stack with a network, one consumer security group and nothing else. */
function networkStack(props: PrivateNetworkProps = {}): {
  stack: Stack;
  network: PrivateNetwork;
  consumer: ec2.SecurityGroup;
} {
  const stack = new Stack();
  const network = new PrivateNetwork(stack, 'Network', props);
  const consumer = new ec2.SecurityGroup(stack, 'Consumer', { vpc: network.vpc, allowAllOutbound: false });
  return { stack, network, consumer };
}

/** An existing VPC, as a caller would import it (no lookup). */
function importedVpc(stack: Stack, zones = ['us-east-1a', 'us-east-1b']): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Existing', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: zones,
    isolatedSubnetIds: zones.map((_, i) => `subnet-000000000000000${i}`),
    isolatedSubnetRouteTableIds: zones.map((_, i) => `rtb-000000000000000${i}`),
  });
}

/** The single `Statement` of the endpoint policy of the only VPC endpoint of the given type. */
function endpointStatements(template: Template, type: 'Interface' | 'Gateway'): Array<Record<string, unknown>> {
  const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint', { Properties: { VpcEndpointType: type } }));
  expect(endpoints).toHaveLength(1);
  return endpoints[0]!.Properties.PolicyDocument.Statement;
}

describe('PrivateNetwork', () => {
  // One synthesis with every compliance pack: the network, a Bedrock runtime interface endpoint
  // consumed by a plain security group, and a DynamoDB gateway endpoint.
  let template: Template;
  let findings: Finding[];
  beforeAll(() => {
    const app = newConstructTestApp();
    const stack = new Stack(app, 'Test');
    const network = new PrivateNetwork(stack, 'Network');
    const consumer = new ec2.SecurityGroup(stack, 'Consumer', {
      vpc: network.vpc,
      description: 'The gateway function',
      allowAllOutbound: false,
    });
    network.addInterfaceEndpoint('BedrockRuntime', {
      service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
      consumers: [consumer],
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: [MODEL_ARN],
    });
    network.addGatewayEndpoint('DynamoDb', {
      service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      actions: ['dynamodb:UpdateItem'],
      resources: [TABLE_ARN],
    });
    const result = synthWithCompliance(app);
    findings = result.findings;
    template = Template.fromJSON(result.assembly.getStackByName('Test').template);
  });

  describe('defaults', () => {
    test('passes every compliance check with a Bedrock interface endpoint and a DynamoDB gateway endpoint', () => {
      expect(formatFindings(findings)).toBe('');
    });

    test('has no path to the internet', () => {
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 0);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      template.resourceCountIs('AWS::EC2::EIP', 0);
      template.resourceCountIs('AWS::EC2::EgressOnlyInternetGateway', 0);
      template.resourceCountIs('AWS::EC2::Route', 0);
    });

    test('has isolated subnets in two Availability Zones and DNS on', () => {
      template.hasResourceProperties('AWS::EC2::VPC', {
        CidrBlock: '10.0.0.0/16',
        EnableDnsSupport: true,
        EnableDnsHostnames: true,
      });
      const subnets = Object.values(template.findResources('AWS::EC2::Subnet'));
      expect(subnets).toHaveLength(2);
      expect(subnets.map((s) => s.Properties.MapPublicIpOnLaunch)).toEqual([false, false]);
      expect(subnets.map((s) => s.Properties.AvailabilityZone)).toEqual([
        { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] },
        { 'Fn::Select': [1, { 'Fn::GetAZs': '' }] },
      ]);
      expect(subnets.flatMap((s) => s.Properties.Tags)).toEqual(
        expect.arrayContaining([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]),
      );
    });

    test('strips the rules of the default security group with its own guard, not aws-cdk-lib\'s handler', () => {
      template.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
      template.resourceCountIs('Custom::NetworkGuard', 1);
      template.hasResourceProperties('Custom::NetworkGuard', {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkGuardHandler'), 'Arn'] },
        DefaultSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkVpc'), 'DefaultSecurityGroup'] },
        // no gateway endpoint has consumers: nothing to look up
        PrefixListServices: Match.absent(),
      });
      // the guard is the stack's only function: no generated provider that cdk-nag cannot see
      expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toEqual([expect.stringMatching(/^NetworkGuardHandler/)]);
    });

    test('runs the guard as a hardened function: one at a time, dead-letter queue, KMS logs, X-Ray, arm64, latest runtime', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: latestNodeRuntime().name,
        Architectures: ['arm64'],
        ReservedConcurrentExecutions: 1,
        TracingConfig: { Mode: 'Active' },
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkGuardDeadLetterQueue'), 'Arn'] } },
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^NetworkGuardHandlerLogs') } }),
        VpcConfig: Match.absent(),
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogsKey'), 'Arn'] },
        RedriveAllowPolicy: { redrivePermission: 'denyAll' },
      });
      // the key admits the guard's role through SQS, not every principal of the account
      const keyStatements = Object.entries(template.findResources('AWS::KMS::Key'))
        .filter(([id]) => id.startsWith('NetworkFlowLogsKey'))
        .flatMap(([, r]) => r.Properties.KeyPolicy.Statement as Array<Record<string, unknown>>);
      expect(keyStatements.filter((st) => JSON.stringify(st).includes('sqs.'))).toEqual([
        expect.objectContaining({
          Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkGuardHandlerRole/), 'Arn'] } },
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        }),
      ]);
      const guardLogs = Object.entries(template.findResources('AWS::Logs::LogGroup')).filter(([id]) => id.startsWith('NetworkGuardHandlerLogs'));
      expect(guardLogs.map(([, r]) => [r.Properties.RetentionInDays, r.Properties.KmsKeyId, r.DeletionPolicy])).toEqual([
        [365, { 'Fn::GetAtt': [expect.stringMatching(/^NetworkFlowLogsKey/), 'Arn'] }, 'Retain'],
      ]);
    });

    test('lets the guard revoke rules of the VPC\'s default security group only, from a managed policy', () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
      const role = Object.entries(template.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('NetworkGuardHandlerRole'))![1];
      expect(role.Properties.Policies).toBeUndefined();
      const policy = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).find(([id]) => id.startsWith('NetworkGuardHandlerPolicy'))![1];
      expect(policy.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^NetworkGuardHandlerRole/) }]);
      const statements = policy.Properties.PolicyDocument.Statement as Array<{ Sid: string; Action: string | string[]; Resource: unknown }>;
      expect(statements.find((st) => st.Sid === 'RevokeDefaultSecurityGroupRules')).toEqual(
        expect.objectContaining({
          Action: ['ec2:RevokeSecurityGroupEgress', 'ec2:RevokeSecurityGroupIngress'],
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':ec2:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':security-group/',
                { 'Fn::GetAtt': [expect.stringMatching(/^NetworkVpc/), 'DefaultSecurityGroup'] },
              ],
            ],
          },
        }),
      );
      // on "*" only what EC2 and X-Ray authorize on "*" alone
      expect(statements.filter((st) => st.Resource === '*').flatMap((st) => st.Action)).toEqual([
        'ec2:DescribePrefixLists',
        'ec2:DescribeSecurityGroups',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    test('records all traffic in a KMS-encrypted, retained flow-log group', () => {
      template.hasResourceProperties('AWS::EC2::FlowLog', {
        ResourceType: 'VPC',
        ResourceId: { Ref: Match.stringLikeRegexp('^NetworkVpc') },
        TrafficType: 'ALL',
        LogDestinationType: 'cloud-watch-logs',
        LogGroupName: { Ref: Match.stringLikeRegexp('^NetworkFlowLogs') },
      });
      template.hasResource('AWS::Logs::LogGroup', {
        Properties: {
          KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogsKey'), 'Arn'] },
          RetentionInDays: 365,
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('lets the flow-log role write to its log group only, from a managed policy', () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkFlowLogs'), 'Arn'] },
            },
          ],
        },
        Roles: [{ Ref: Match.stringLikeRegexp('^NetworkFlowLogRole') }],
      });
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
                ArnLike: { 'aws:SourceArn': Match.anyValue() },
              },
            }),
          ],
        },
      });
    });

    test('keeps a caller-chosen removal policy and retention on the flow-log group', () => {
      const { stack } = networkStack({ removalPolicy: RemovalPolicy.DESTROY, flowLogRetention: logs.RetentionDays.TWO_YEARS });
      Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
        Properties: Match.objectLike({ RetentionInDays: 731 }),
        DeletionPolicy: 'Delete',
      });
    });

    test('spans maxAzs zones with the given CIDR', () => {
      const stack = new Stack(undefined, 'Pinned', { env: { account: '123456789012', region: 'us-east-1' } });
      new PrivateNetwork(stack, 'Network', { maxAzs: 3, cidr: '10.20.0.0/20' });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/20' });
      t.resourceCountIs('AWS::EC2::Subnet', 3);
    });
  });

  describe('encryption', () => {
    test('encrypts the flow-log group with a given key instead of a new one', () => {
      // GIVEN
      const stack = new Stack();
      const key = new kms.Key(stack, 'OwnKey', { enableKeyRotation: true });
      // WHEN
      new PrivateNetwork(stack, 'Network', { flowLogEncryptionKey: key });
      // THEN
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::KMS::Key', 1);
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnKey'), 'Arn'] },
      });
    });
  });

  describe('interface endpoints', () => {
    test('have private DNS and sit in the isolated subnets of both zones', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.bedrock-runtime']] },
        PrivateDnsEnabled: true,
        SubnetIds: [
          { Ref: Match.stringLikeRegexp('^NetworkVpcIsolatedSubnet1') },
          { Ref: Match.stringLikeRegexp('^NetworkVpcIsolatedSubnet2') },
        ],
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^NetworkBedrockRuntimeSecurityGroup'), 'GroupId'] }],
      });
    });

    test('admit only tcp/443 from the consumer security group and send nothing out', () => {
      const groups = template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('BedrockRuntime') },
      });
      const [groupId, group] = Object.entries(groups)[0]!;
      expect(Object.keys(groups)).toHaveLength(1);
      expect(group.Properties.SecurityGroupIngress).toBeUndefined();
      // CDK's placeholder for "no egress": a rule that matches no traffic.
      expect(group.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '255.255.255.255/32', Description: 'Disallow all traffic' }),
      ]);

      const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).filter(
        (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [groupId, 'GroupId'] }),
      );
      expect(ingress.map((r) => r.Properties)).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^Consumer/), 'GroupId'] },
        }),
      ]);
      // The consumer, which allows no outbound traffic by default, gets exactly this one egress.
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
        DestinationSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
      });
    });

    test('have a policy limited to this account, the given actions and the given resources', () => {
      expect(endpointStatements(template, 'Interface')).toEqual([
        {
          Sid: 'AllowNamedActionsOnly',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          Resource: MODEL_ARN,
          Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
    });

    test('allow only the given principals when principals are given', () => {
      // GIVEN
      const { stack, network, consumer } = networkStack();
      const role = new iam.Role(stack, 'GatewayRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      network.addInterfaceEndpoint('BedrockRuntime', {
        service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
        consumers: [consumer],
        actions: ['bedrock:InvokeModel'],
        resources: [MODEL_ARN],
        principals: [role],
      });
      // THEN
      expect(endpointStatements(Template.fromStack(stack), 'Interface')).toEqual([
        expect.objectContaining({
          Principal: { AWS: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayRole/), 'Arn'] } },
          Action: 'bedrock:InvokeModel',
        }),
      ]);
      expect(endpointStatements(Template.fromStack(stack), 'Interface')[0]).not.toHaveProperty('Condition');
    });

    test('admit every consumer, each from its own security group', () => {
      const { stack, network, consumer } = networkStack();
      const second = new ec2.SecurityGroup(stack, 'Second', { vpc: network.vpc });
      network.addInterfaceEndpoint('Sts', {
        service: ec2.InterfaceVpcEndpointAwsService.STS,
        consumers: [consumer, second],
        actions: ['sts:GetCallerIdentity'],
        resources: ['*'],
      });
      const sources = Object.values(Template.fromStack(stack).findResources('AWS::EC2::SecurityGroupIngress')).map(
        (r) => r.Properties.SourceSecurityGroupId['Fn::GetAtt'][0],
      );
      expect(sources).toEqual([expect.stringMatching(/^Consumer/), expect.stringMatching(/^Second/)]);
    });
  });

  describe('gateway endpoints', () => {
    test('are attached to the isolated subnets\' route tables with a policy limited to this account', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
        RouteTableIds: [
          { Ref: Match.stringLikeRegexp('^NetworkVpcIsolatedSubnet1RouteTable') },
          { Ref: Match.stringLikeRegexp('^NetworkVpcIsolatedSubnet2RouteTable') },
        ],
      });
      expect(endpointStatements(template, 'Gateway')).toEqual([
        {
          Sid: 'AllowNamedActionsOnly',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'dynamodb:UpdateItem',
          Resource: TABLE_ARN,
          Condition: { StringEquals: { 'aws:PrincipalAccount': { Ref: 'AWS::AccountId' } } },
        },
      ]);
    });

    test('match given principals by aws:PrincipalArn, as gateway endpoints require', () => {
      // GIVEN
      const { stack, network } = networkStack();
      const role = new iam.Role(stack, 'GatewayRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      network.addGatewayEndpoint('S3', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::config-bucket/*'],
        principals: [role],
      });
      // THEN
      expect(endpointStatements(Template.fromStack(stack), 'Gateway')).toEqual([
        expect.objectContaining({
          Principal: { AWS: '*' },
          Condition: { ArnEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/^GatewayRole/), 'Arn'] }] } },
        }),
      ]);
    });

    test('give each consumer one egress rule: tcp/443 to the prefix list the guard looks up, with no deploy-time parameter', () => {
      // GIVEN
      const { stack, network, consumer } = networkStack();
      // WHEN
      network.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        actions: ['dynamodb:UpdateItem'],
        resources: [TABLE_ARN],
        consumers: [consumer],
      });
      network.addGatewayEndpoint('S3', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::config-bucket/*'],
        consumers: [consumer],
      });
      // THEN
      const t = Template.fromStack(stack);
      const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
      const guardAttribute = (name: string) => ({ 'Fn::GetAtt': [expect.stringMatching(/^NetworkGuard[0-9A-F]{8}$/), name] });
      expect(egress).toEqual([
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: guardAttribute('DynamoDbPrefixListId') }),
        expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: guardAttribute('S3PrefixListId') }),
      ]);
      t.hasResourceProperties('Custom::NetworkGuard', { PrefixListServices: ['dynamodb', 's3'] });
      expect(t.toJSON().Parameters ?? {}).not.toHaveProperty('NetworkDynamoDbPrefixListId');
      expect(t.toJSON().Parameters ?? {}).not.toHaveProperty('NetworkS3PrefixListId');
      expect(JSON.stringify(t.toJSON())).not.toContain('0.0.0.0/0');
    });

    test('share one endpoint per service: a second S3 user appends its own statement and consumers to the first one\'s endpoint', () => {
      // GIVEN two S3 clients of one network, each with its role, bucket and security group
      const { stack, network, consumer } = networkStack();
      const other = new ec2.SecurityGroup(stack, 'OtherConsumer', { vpc: network.vpc, allowAllOutbound: false });
      const first = new iam.Role(stack, 'FirstRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const second = new iam.Role(stack, 'SecondRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      // WHEN
      const a = network.addGatewayEndpoint('DocumentsS3', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::documents/*'],
        principals: [first],
        consumers: [consumer],
      });
      const b = network.addGatewayEndpoint('TrainingDataS3', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        actions: ['s3:PutObject'],
        resources: ['arn:aws:s3:::vault/*'],
        principals: [second],
        consumers: [other],
      });
      // THEN one S3 gateway endpoint, the first call's, whose policy holds each caller's statement unmerged
      expect(b).toBe(a);
      expect(a.node.id).toBe('DocumentsS3');
      const t = Template.fromStack(stack);
      const statements = endpointStatements(t, 'Gateway');
      expect(statements).toEqual([
        expect.objectContaining({ Sid: 'AllowNamedActionsOnly', Action: 's3:GetObject', Resource: 'arn:aws:s3:::documents/*', Condition: { ArnEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/^FirstRole/), 'Arn'] }] } } }),
        expect.objectContaining({ Sid: 'AllowNamedActionsOnlyTrainingDataS3', Action: 's3:PutObject', Resource: 'arn:aws:s3:::vault/*', Condition: { ArnEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [expect.stringMatching(/^SecondRole/), 'Arn'] }] } } }),
      ]);
      // and both consumers reach the S3 prefix list
      const egress = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
      expect(egress).toHaveLength(2);
      expect(egress.map((e) => e.Description)).toEqual([expect.stringContaining('through the DocumentsS3 gateway endpoint'), expect.stringContaining('through the DocumentsS3 gateway endpoint')]);
    });

    test('use the prefix-list ids given to the network, and add no parameter for an endpoint without consumers', () => {
      // GIVEN
      const { stack, network, consumer } = networkStack({ dynamoDbPrefixListId: 'pl-02cd2c6b', s3PrefixListId: 'pl-0123456789abcdef0' });
      // WHEN
      network.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        actions: ['dynamodb:UpdateItem'],
        resources: [TABLE_ARN],
        consumers: [consumer],
      });
      // THEN
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: 'pl-02cd2c6b', FromPort: 443 });
      expect(Object.keys(t.toJSON().Parameters ?? {}).filter((p) => p.includes('PrefixList'))).toEqual([]);
      // the guard looks up nothing the configuration names
      t.hasResourceProperties('Custom::NetworkGuard', { PrefixListServices: Match.absent() });
    });
  });

  describe('existing vpc', () => {
    test('takes a gateway endpoint\'s prefix list from a deploy-time parameter when no id is given', () => {
      // GIVEN
      const stack = new Stack();
      const vpc = importedVpc(stack);
      const consumer = new ec2.SecurityGroup(stack, 'Consumer', { vpc, allowAllOutbound: false });
      const network = new PrivateNetwork(stack, 'Network', { vpc });
      // WHEN
      network.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        actions: ['dynamodb:UpdateItem'],
        resources: [TABLE_ARN],
        consumers: [consumer],
      });
      // THEN
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { DestinationPrefixListId: { Ref: 'NetworkDynamoDbPrefixListId' }, FromPort: 443 });
      t.hasParameter('NetworkDynamoDbPrefixListId', { Type: 'String', AllowedPattern: '^pl-([0-9a-f]{8}|[0-9a-f]{17})$', Default: Match.absent() });
    });

    test('creates no VPC, flow log or key, and endpoints still work', () => {
      // GIVEN
      const stack = new Stack();
      const vpc = importedVpc(stack);
      const consumer = new ec2.SecurityGroup(stack, 'Consumer', { vpc, allowAllOutbound: false });
      // WHEN
      const network = new PrivateNetwork(stack, 'Network', { vpc });
      network.addInterfaceEndpoint('BedrockRuntime', {
        service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
        consumers: [consumer],
        actions: ['bedrock:InvokeModel'],
        resources: [MODEL_ARN],
      });
      network.addGatewayEndpoint('DynamoDb', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
        actions: ['dynamodb:UpdateItem'],
        resources: [TABLE_ARN],
      });
      // THEN
      expect(network.vpc).toBe(vpc);
      expect(network.flowLogGroup).toBeUndefined();
      expect(network.flowLog).toBeUndefined();
      expect(network.guard).toBeUndefined();
      const t = Template.fromStack(stack);
      const notCreated = [
        'AWS::EC2::VPC',
        'AWS::EC2::Subnet',
        'AWS::EC2::FlowLog',
        'AWS::Logs::LogGroup',
        'AWS::KMS::Key',
        'AWS::IAM::Role',
        'AWS::Lambda::Function',
        'Custom::VpcRestrictDefaultSG',
        'Custom::NetworkGuard',
      ];
      for (const type of notCreated) {
        t.resourceCountIs(type, 0);
      }
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        VpcId: 'vpc-0123456789abcdef0',
        SubnetIds: ['subnet-0000000000000000', 'subnet-0000000000000001'],
        PrivateDnsEnabled: true,
      });
      t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        RouteTableIds: ['rtb-0000000000000000', 'rtb-0000000000000001'],
      });
    });
  });

  describe('validation', () => {
    test('fails if the guard is asked for the prefix list of a service that has none', () => {
      // GIVEN
      const { network } = networkStack();
      // WHEN / THEN
      expect(() => network.guard!.prefixListIdOf(new ec2.GatewayVpcEndpointAwsService('sqs'))).toThrow(
        /service must be ec2\.GatewayVpcEndpointAwsService\.S3 or \.DYNAMODB .*, got \S+\.sqs$/,
      );
    });

    test('fails if maxAzs is below 2', () => {
      expect(() => networkStack({ maxAzs: 1 })).toThrow(/maxAzs must be a whole number of at least 2 .* got 1/);
    });
    test('fails if maxAzs is not a whole number', () => {
      expect(() => networkStack({ maxAzs: 2.5 })).toThrow(/maxAzs must be a whole number .* got 2.5/);
    });
    test('fails if cidr is not an IPv4 CIDR block', () => {
      expect(() => networkStack({ cidr: '10.0.0.0' })).toThrow(/cidr must be an IPv4 CIDR block between \/16 and \/28, e.g. "10.0.0.0\/16", got "10.0.0.0"/);
      expect(() => networkStack({ cidr: '10.0.300.0/24' })).toThrow(/cidr must be .* got "10.0.300.0\/24"/);
    });
    test('fails if cidr is larger than /16 or smaller than /28', () => {
      expect(() => networkStack({ cidr: '10.0.0.0/8' })).toThrow(/between \/16 and \/28, e.g. "10.0.0.0\/16", got "10.0.0.0\/8"/);
      expect(() => networkStack({ cidr: '10.0.0.0/29' })).toThrow(/between \/16 and \/28, e.g. "10.0.0.0\/16", got "10.0.0.0\/29"/);
    });
    test('fails if cidr does not start on its prefix boundary', () => {
      expect(() => networkStack({ cidr: '10.0.1.0/16' })).toThrow(/cidr must start on a \/16 boundary; use "10.0.0.0\/16", got "10.0.1.0\/16"/);
    });
    test('fails if vpc is combined with maxAzs and cidr', () => {
      const stack = new Stack();
      expect(() => new PrivateNetwork(stack, 'Network', { vpc: importedVpc(stack), maxAzs: 3, cidr: '10.1.0.0/16' })).toThrow(
        /vpc cannot be combined with maxAzs, cidr/,
      );
    });
    test('fails if vpc is combined with flow-log settings', () => {
      const stack = new Stack();
      expect(
        () => new PrivateNetwork(stack, 'Network', { vpc: importedVpc(stack), flowLogRetention: logs.RetentionDays.ONE_MONTH }),
      ).toThrow(/vpc cannot be combined with flowLogRetention/);
    });
    test('fails if an existing vpc has no isolated subnets', () => {
      const stack = new Stack();
      const vpc = ec2.Vpc.fromVpcAttributes(stack, 'Existing', {
        vpcId: 'vpc-1',
        availabilityZones: ['us-east-1a', 'us-east-1b'],
        privateSubnetIds: ['subnet-1', 'subnet-2'],
      });
      expect(() => new PrivateNetwork(stack, 'Network', { vpc })).toThrow(/has no isolated subnets, got isolatedSubnets \[\]/);
    });
    test('fails if an existing vpc has isolated subnets in one zone only', () => {
      const stack = new Stack();
      expect(() => new PrivateNetwork(stack, 'Network', { vpc: importedVpc(stack, ['us-east-1a']) })).toThrow(
        /at least 2 Availability Zones .* got 1 \(us-east-1a\)/,
      );
    });

    describe('endpoints', () => {
      const bedrock = ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME;
      const dynamodb = ec2.GatewayVpcEndpointAwsService.DYNAMODB;

      test('fails if actions is empty', () => {
        const { network, consumer } = networkStack();
        expect(() => network.addInterfaceEndpoint('Ep', { service: bedrock, consumers: [consumer], actions: [], resources: ['*'] })).toThrow(
          /actions of endpoint Ep must name at least one API action .* got \[\]/,
        );
      });
      test('fails if actions contains "*"', () => {
        const { network, consumer } = networkStack();
        expect(() =>
          network.addInterfaceEndpoint('Ep', { service: bedrock, consumers: [consumer], actions: ['*'], resources: ['*'] }),
        ).toThrow(/actions of endpoint Ep must not contain the wildcard "\*"/);
      });
      test('fails if actions contains a service wildcard', () => {
        const { network } = networkStack();
        expect(() => network.addGatewayEndpoint('Ep', { service: dynamodb, actions: ['dynamodb:*'], resources: [TABLE_ARN] })).toThrow(
          /actions of endpoint Ep must not contain the wildcard "dynamodb:\*"/,
        );
      });
      test('fails if an action is not of the form service:Action', () => {
        const { network } = networkStack();
        expect(() => network.addGatewayEndpoint('Ep', { service: dynamodb, actions: ['UpdateItem'], resources: [TABLE_ARN] })).toThrow(
          /actions of endpoint Ep must be of the form "service:Action", got "UpdateItem"/,
        );
      });
      test('fails if resources is empty', () => {
        const { network } = networkStack();
        expect(() => network.addGatewayEndpoint('Ep', { service: dynamodb, actions: ['dynamodb:GetItem'], resources: [] })).toThrow(
          /resources of endpoint Ep must name at least one ARN \(or "\*" explicitly\), got \[\]/,
        );
      });
      test('fails if principals is empty', () => {
        const { network, consumer } = networkStack();
        expect(() =>
          network.addInterfaceEndpoint('Ep', {
            service: bedrock,
            consumers: [consumer],
            actions: ['bedrock:InvokeModel'],
            resources: [MODEL_ARN],
            principals: [],
          }),
        ).toThrow(/principals of endpoint Ep must name at least one principal, got \[\]/);
      });
      test('fails if a gateway endpoint is given an account principal', () => {
        const { network } = networkStack();
        expect(() =>
          network.addGatewayEndpoint('Ep', {
            service: dynamodb,
            actions: ['dynamodb:GetItem'],
            resources: [TABLE_ARN],
            principals: [new iam.AccountPrincipal('123456789012')],
          }),
        ).toThrow(/principals\[0\] of gateway endpoint Ep must be an IAM role or user without conditions/);
      });
      test('fails if consumers is empty', () => {
        const { network } = networkStack();
        expect(() =>
          network.addInterfaceEndpoint('Ep', { service: bedrock, consumers: [], actions: ['bedrock:InvokeModel'], resources: [MODEL_ARN] }),
        ).toThrow(/consumers of interface endpoint Ep must name at least one connectable .* got \[\]/);
      });
      test('fails if a prefix-list id is not one', () => {
        expect(() => networkStack({ s3PrefixListId: 'sg-0123456789abcdef0' })).toThrow(
          /s3PrefixListId must be an AWS-managed prefix-list id .* got "sg-0123456789abcdef0"/,
        );
      });
      test('fails if a gateway-endpoint consumer has no security group', () => {
        const { network } = networkStack();
        const open: ec2.IConnectable = { connections: new ec2.Connections({ peer: ec2.Peer.anyIpv4() }) };
        expect(() =>
          network.addGatewayEndpoint('Ep', { service: dynamodb, actions: ['dynamodb:GetItem'], resources: [TABLE_ARN], consumers: [open] }),
        ).toThrow(/consumers\[0\] of gateway endpoint Ep has no security group/);
      });
      test('fails if a consumer has no security group', () => {
        const { network } = networkStack();
        const open: ec2.IConnectable = { connections: new ec2.Connections({ peer: ec2.Peer.anyIpv4() }) };
        expect(() =>
          network.addInterfaceEndpoint('Ep', { service: bedrock, consumers: [open], actions: ['bedrock:InvokeModel'], resources: [MODEL_ARN] }),
        ).toThrow(/consumers\[0\] of interface endpoint Ep has no security group/);
      });
    });
  });
});

describe('gateway endpoint for pre-signed requests', () => {
  test('AnyPrincipal leaves only the actions and resources as the restriction', () => {
    // GIVEN
    const stack = new Stack();
    const network = new PrivateNetwork(stack, 'Network');
    // WHEN
    network.addGatewayEndpoint('S3', {
      service: ec2.GatewayVpcEndpointAwsService.S3,
      actions: ['s3:PutObject'],
      resources: ['arn:aws:s3:::cloudformation-custom-resource-response-euwest1/*'],
      principals: [new iam.AnyPrincipal()],
    });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      PolicyDocument: {
        Statement: [
          {
            Sid: 'AllowNamedActionsOnly',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 's3:PutObject',
            Resource: 'arn:aws:s3:::cloudformation-custom-resource-response-euwest1/*',
          },
        ],
      },
    });
  });
});
