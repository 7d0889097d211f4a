import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { DocumentIngestion, DocumentIngestionProps, ModelGuardrail, PrivateNetwork } from '../../../constructs';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';

const ACCOUNT = '123456789012';
const ACME = `arn:aws:iam::${ACCOUNT}:role/AcmeUploader`;
const GLOBEX = `arn:aws:iam::${ACCOUNT}:role/GlobexUploader`;
const REVIEWER = `arn:aws:iam::${ACCOUNT}:role/DocumentReviewer`;

type Statement = { Sid?: string; Effect: string; Action: unknown; Resource?: unknown; NotResource?: unknown; Condition?: Record<string, Record<string, unknown>> };

function setup(props: Partial<DocumentIngestionProps> = {}, app = newConstructTestApp()): { stack: Stack; ingestion: DocumentIngestion } {
  const stack = new Stack(app, 'Test', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const network = new PrivateNetwork(stack, 'Network');
  const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true });
  const ingestion = new DocumentIngestion(stack, 'Documents', {
    network,
    alarmTopic: topic,
    tenants: [
      { name: 'acme', uploaderRoleArns: [ACME] },
      { name: 'globex', uploaderRoleArns: [GLOBEX] },
    ],
    ...props,
  });
  return { stack, ingestion };
}

function bucketPolicy(template: Template, bucketId: string): Statement[] {
  const policies = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
}

describe('DocumentIngestion', () => {
  describe('defaults', () => {
    let template: Template;
    let stack: Stack;
    let ingestion: DocumentIngestion;
    let findings: Finding[];

    beforeAll(() => {
      // One app synthesized with every check (its Reader role and plain topic have findings of their own, so synthesis
      // stops), one for the template.
      const app = newConstructTestApp();
      const checked = setup({ reviewerRoleArns: [REVIEWER] }, app);
      // a knowledge-base role that reads the indexed area
      checked.ingestion.grantReadIndexed(new iam.Role(checked.stack, 'Reader', { assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com') }));
      findings = synthWithCompliance(app).findings;
      ({ stack, ingestion } = setup({ reviewerRoleArns: [REVIEWER] }));
      template = Template.fromStack(stack);
    });

    test('passes every compliance check with no unacknowledged finding', () => {
      // THEN: the report was read (the plain reader role's inline policy has findings of its own) ...
      expect(findings.some((f) => f.path.startsWith('Test/Reader/'))).toBe(true);
      // ... and none of them is about the document store
      expect(formatFindings(findings.filter((f) => f.path.startsWith('Test/Documents/')))).toBe('');
    });

    test('the bucket is KMS-encrypted with its key, versioned, private, ACL-free, logged and retained', () => {
      const id = stack.getLogicalId(ingestion.bucket.node.defaultChild as never);
      template.hasResource('AWS::S3::Bucket', {
        DeletionPolicy: 'Retain',
        Properties: Match.objectLike({
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [
              Match.objectLike({ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } }),
            ],
          },
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'document-bucket/' }),
          NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        }),
      });
      expect(bucketPolicy(template, id).some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))).toBe(true);
      expect(ingestion.indexedPrefix).toBe('indexed/');
    });

    test('screens every object created under incoming/ with the function, in the VPC, with a dead-letter queue on rule and function', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: [Match.anyValue()] }, object: { key: [{ prefix: 'incoming/' }] } } },
        Targets: [Match.objectLike({ DeadLetterConfig: { Arn: Match.anyValue() }, RetryPolicy: Match.anyValue() })],
      });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        ReservedConcurrentExecutions: 2,
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        DeadLetterConfig: { TargetArn: Match.anyValue() },
        Environment: { Variables: Match.objectLike({ DOCUMENT_TENANTS: 'acme,globex', MAX_DOCUMENT_BYTES: '5242880' }) },
      });
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: Match.objectLike({}), VpcEndpointType: 'Gateway', PolicyDocument: Match.objectLike({}) });
    });

    test('alarms to the topic on any quarantined document and on any dead letter', () => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DocumentsQuarantined', Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }] });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 1, AlarmActions: [{ Ref: Match.stringLikeRegexp('^Alerts') }] });
    });
  });

  describe('grants', () => {
    test('grantReadIndexed reads only the indexed area, with the key through S3', () => {
      // GIVEN
      const { stack, ingestion } = setup();
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com') });
      // WHEN
      ingestion.grantReadIndexed(reader);
      // THEN
      const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0]!;
      const statements = policy.Properties.PolicyDocument.Statement as Statement[];
      expect(statements.map((s) => s.Action)).toEqual(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']);
      expect(JSON.stringify(statements[0]!.Resource)).toContain('/indexed/*');
      expect(statements[1]!.Condition).toEqual({ StringLike: { 's3:prefix': ['indexed/*'] } });
      expect(statements[2]!.Condition).toEqual({ StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } });
    });

    let template: Template;
    let statements: Statement[];

    beforeAll(() => {
      const { stack, ingestion } = setup({ reviewerRoleArns: [REVIEWER] });
      template = Template.fromStack(stack);
      statements = bucketPolicy(template, stack.getLogicalId(ingestion.bucket.node.defaultChild as never));
    });

    test('only a tenant\'s uploaders write its incoming folder, and they write nowhere else', () => {
      const others = statements.find((s) => s.Sid === 'DenyIncomingWritesByOthersAcme')!;
      expect(others).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Condition: { ArnNotEquals: { 'aws:PrincipalArn': [ACME] } } });
      expect(JSON.stringify(others.Resource)).toContain('/incoming/acme/*');
      const outside = statements.find((s) => s.Sid === 'DenyUploadersOutsideOwnIncomingAcme')!;
      expect(outside).toMatchObject({ Effect: 'Deny', Action: 's3:PutObject', Condition: { ArnEquals: { 'aws:PrincipalArn': [ACME] } } });
      expect(JSON.stringify(outside.NotResource)).toContain('/incoming/acme/*');
    });

    test('only the screen and the reviewers write the indexed and quarantine areas', () => {
      const s = statements.find((st) => st.Sid === 'DenyIndexedAndQuarantineWritesByOthers')!;
      expect(s.Effect).toBe('Deny');
      expect(JSON.stringify(s.Resource)).toMatch(/indexed\/\*.*quarantine\/\*/);
      const allowed = s.Condition!.ArnNotEquals!['aws:PrincipalArn'] as unknown[];
      expect(allowed).toHaveLength(2);
      expect(allowed).toContain(REVIEWER);
    });

    test('each tenant gets an uploader policy limited to its own folders', () => {
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Description: Match.stringLikeRegexp('^Uploads of tenant globex'),
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'UploadToOwnIncoming', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/incoming/globex/*']] } }),
          ]),
        },
      });
    });
  });

  describe('guardrail', () => {
    test('applies the guardrail through the given Bedrock Runtime endpoint, whose policy admits the function\'s role', () => {
      // GIVEN
      const stack = new Stack(newConstructTestApp(), 'Test', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      const network = new PrivateNetwork(stack, 'Network');
      const guardrail = new ModelGuardrail(stack, 'Guardrail');
      const client = new ec2.SecurityGroup(stack, 'Client', { vpc: network.vpc });
      const endpoint = network.addInterfaceEndpoint('BedrockRuntime', {
        service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_RUNTIME,
        consumers: [client],
        principals: [new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })],
        actions: ['bedrock:ApplyGuardrail'],
        resources: [guardrail.guardrailArn],
      });
      // WHEN
      const ingestion = new DocumentIngestion(stack, 'Documents', {
        network,
        alarmTopic: new sns.Topic(stack, 'Alerts'),
        tenants: [{ name: 'acme', uploaderRoleArns: [ACME] }],
        guardrail,
        bedrockRuntimeEndpoint: endpoint,
      });
      // THEN
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ GUARDRAIL_ID: Match.anyValue(), GUARDRAIL_VERSION: Match.anyValue() }) },
      });
      const roleArn = stack.resolve(ingestion.function.role!.roleArn);
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Interface',
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Sid: 'DocumentScreenAppliesGuardrail', Action: 'bedrock:ApplyGuardrail', Principal: { AWS: roleArn } }),
          ]),
        },
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'bedrock:ApplyGuardrail' })]) },
        Description: Match.stringLikeRegexp('^Document screening'),
      });
    });
  });

  describe('validation', () => {
    test.each([
      [{ tenants: [] }, /tenants must name at least one tenant/],
      [{ tenants: [{ name: 'Acme', uploaderRoleArns: [ACME] }] }, /tenants\[0\]\.name must be 1-63 lowercase.*got "Acme"/],
      [{ tenants: [{ name: '_unassigned', uploaderRoleArns: [ACME] }] }, /tenants\[0\]\.name must be/],
      [{ tenants: [{ name: 'acme', uploaderRoleArns: [ACME] }, { name: 'acme', uploaderRoleArns: [GLOBEX] }] }, /tenants\[1\]\.name must be unique, got "acme" twice/],
      [{ tenants: [{ name: 'acme', uploaderRoleArns: [] }] }, /tenants\[0\]\.uploaderRoleArns of tenant "acme" must name at least one/],
      [{ tenants: [{ name: 'acme', uploaderRoleArns: ['arn:aws:iam::999999999999:role/Other'] }] }, /tenants\[0\]\.uploaderRoleArns\[0\] must be a role of the key's account/],
      [{ tenants: [{ name: 'acme', uploaderRoleArns: ['AcmeUploader'] }] }, /tenants\[0\]\.uploaderRoleArns\[0\] must be an IAM role ARN/],
      [{ maxDocumentBytes: 100 }, /maxDocumentBytes must be a whole number between 1024 and 52428800 \(50 MiB\), got 100/],
      [{ reviewerRoleArns: ['nope'] }, /reviewerRoleArns\[0\] must be an IAM role ARN/],
    ])('fails if the props are %j', (props, message) => {
      expect(() => setup(props as Partial<DocumentIngestionProps>)).toThrow(message);
    });

    test('fails if a guardrail is given without the Bedrock Runtime endpoint', () => {
      const stack = new Stack(newConstructTestApp(), 'Test', { env: { account: ACCOUNT, region: 'eu-west-1' } });
      const guardrail = new ModelGuardrail(stack, 'Guardrail');
      expect(
        () =>
          new DocumentIngestion(stack, 'Documents', {
            network: new PrivateNetwork(stack, 'Network'),
            alarmTopic: new sns.Topic(stack, 'Alerts'),
            tenants: [{ name: 'acme', uploaderRoleArns: [ACME] }],
            guardrail,
          }),
      ).toThrow(/bedrockRuntimeEndpoint must be given with guardrail/);
    });
  });

  describe('encryption', () => {
    test('a given removal policy replaces RETAIN', () => {
      const { stack } = setup({ removalPolicy: RemovalPolicy.DESTROY });
      Template.fromStack(stack).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Delete', Properties: Match.objectLike({ VersioningConfiguration: { Status: 'Enabled' } }) });
    });
  });
});
