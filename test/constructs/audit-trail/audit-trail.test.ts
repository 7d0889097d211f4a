import { App, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AccessLogsBucket } from '../../../constructs/access-logs-bucket';
import { AuditTrail, AuditTrailProps, DEFAULT_DATA_EVENT_RESOURCE_TYPES } from '../../../constructs/audit-trail';
import { Finding, formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

const IMPORTED_KEY_ARN = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** A stack with one AuditTrail and its template. */
function synth(props: AuditTrailProps = {}): { stack: Stack; trail: AuditTrail; template: Template } {
  const stack = new Stack();
  const trail = new AuditTrail(stack, 'AuditTrail', props);
  return { stack, trail, template: Template.fromStack(stack) };
}

interface Selector {
  Name: string;
  FieldSelectors: Array<{ Field: string; Equals?: string[]; NotStartsWith?: unknown[] }>;
}

function trailProperties(template: Template): Record<string, unknown> {
  const trails = Object.values(template.findResources('AWS::CloudTrail::Trail'));
  expect(trails).toHaveLength(1);
  return trails[0]!.Properties as Record<string, unknown>;
}

function dataTypesOf(template: Template): string[] {
  const selectors = trailProperties(template).AdvancedEventSelectors as Selector[];
  return selectors
    .filter((s) => s.FieldSelectors.some((f) => f.Field === 'eventCategory' && f.Equals?.[0] === 'Data'))
    .map((s) => s.FieldSelectors.find((f) => f.Field === 'resources.type')!.Equals![0]!);
}

/** The logical ID of the only resource of `type` whose logical ID starts with `prefix`. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

const trailArnFor = (name: string): unknown => ({
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:trail/${name}`],
  ],
});

describe('AuditTrail', () => {
  describe('defaults', () => {
    let findings: Finding[];
    let template: Template;

    beforeAll(() => {
      // GIVEN
      const app = newConstructTestApp();
      const stack = new Stack(app, 'Test');
      // WHEN
      new AuditTrail(stack, 'AuditTrail');
      const result = synthWithCompliance(app);
      findings = result.findings;
      template = Template.fromJSON(result.assembly.getStackByName('Test').template);
    });

    test('passes every compliance check with no unacknowledged finding', () => {
      // THEN
      expect(formatFindings(findings)).toBe('');
      template.resourceCountIs('AWS::CloudTrail::Trail', 1);
    });

    test('records every region and global services, validates log files and encrypts with the key', () => {
      // GIVEN
      const { template: t } = synth();
      const keyId = logicalId(t, 'AWS::KMS::Key', 'AuditTrailKey');
      const logGroupId = logicalId(t, 'AWS::Logs::LogGroup', 'AuditTrailLogGroup');
      const roleId = logicalId(t, 'AWS::IAM::Role', 'AuditTrailLogsRole');
      // THEN
      t.hasResourceProperties('AWS::CloudTrail::Trail', {
        IsLogging: true,
        IsMultiRegionTrail: true,
        IncludeGlobalServiceEvents: true,
        EnableLogFileValidation: true,
        KMSKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
        CloudWatchLogsLogGroupArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        CloudWatchLogsRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
    });

    test('selects all management events and the four default data event types, with advanced selectors only', () => {
      // GIVEN
      const { template: t } = synth();
      const properties = trailProperties(t);
      // THEN
      expect(properties).not.toHaveProperty('EventSelectors');
      expect(properties.AdvancedEventSelectors).toContainEqual({
        Name: 'All management events',
        FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }],
      });
      expect(dataTypesOf(t)).toEqual([
        'AWS::Bedrock::Guardrail',
        'AWS::Bedrock::Model',
        'AWS::Lambda::Function',
        'AWS::S3::Object',
      ]);
      expect(DEFAULT_DATA_EVENT_RESOURCE_TYPES).toEqual(dataTypesOf(t));
    });

    test('leaves its own buckets out of S3 data events so deliveries do not feed back', () => {
      // GIVEN
      const { template: t } = synth();
      const bucketId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailBucket');
      const accessLogsId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailAccessLogsBucket');
      const selectors = trailProperties(t).AdvancedEventSelectors as Selector[];
      const s3Selector = selectors.find((s) => s.FieldSelectors.some((f) => f.Equals?.[0] === 'AWS::S3::Object'))!;
      // THEN
      expect(s3Selector.FieldSelectors).toContainEqual({
        Field: 'resources.ARN',
        NotStartsWith: [
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/']] },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [accessLogsId, 'Arn'] }, '/']] },
        ],
      });
      const others = selectors.filter((s) => s !== s3Selector);
      expect(others.flatMap((s) => s.FieldSelectors).some((f) => f.Field === 'resources.ARN')).toBe(false);
    });

    test('retains the key, both buckets and the log group', () => {
      // GIVEN
      const { template: t } = synth();
      // THEN
      for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        const resources = Object.values(t.findResources(type));
        expect(resources.length).toBeGreaterThan(0);
        for (const resource of resources) {
          expect(resource).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
        }
      }
      t.resourceCountIs('AWS::S3::Bucket', 2);
    });

    test('keeps the CloudWatch Logs copy for one year under the key', () => {
      // GIVEN
      const { template: t } = synth();
      // THEN
      t.hasResourceProperties('AWS::Logs::LogGroup', {
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [logicalId(t, 'AWS::KMS::Key', 'AuditTrailKey'), 'Arn'] },
      });
    });

    test('names the trail after its construct path and exposes its ARN', () => {
      // GIVEN
      const stack = new Stack(new App(), 'Baseline');
      // WHEN
      const trail = new AuditTrail(stack, 'AuditTrail');
      // THEN
      const t = Template.fromStack(stack);
      expect(trail.trailName).toMatch(/^BaselineAuditTrail[0-9A-F]{8}$/);
      t.hasResourceProperties('AWS::CloudTrail::Trail', { TrailName: trail.trailName });
      expect(stack.resolve(trail.trailArn)).toEqual({ 'Fn::GetAtt': [logicalId(t, 'AWS::CloudTrail::Trail', 'AuditTrail'), 'Arn'] });
    });

    test('creates the trail only after its bucket policy and log role', () => {
      // GIVEN
      const { template: t } = synth();
      const trail = Object.values(t.findResources('AWS::CloudTrail::Trail'))[0]!;
      // THEN
      expect(trail.DependsOn).toEqual(
        expect.arrayContaining([
          logicalId(t, 'AWS::S3::BucketPolicy', 'AuditTrailBucketPolicy'),
          logicalId(t, 'AWS::IAM::Role', 'AuditTrailLogsRole'),
          logicalId(t, 'AWS::IAM::ManagedPolicy', 'AuditTrailLogsPolicy'),
        ]),
      );
    });
  });

  describe('encryption', () => {
    test('the trail bucket is SSE-KMS with a bucket key, versioned, Object-Locked, private and ACL-free', () => {
      // GIVEN
      const { template: t } = synth();
      const keyId = logicalId(t, 'AWS::KMS::Key', 'AuditTrailKey');
      // THEN
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
            },
          ],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 365 } } },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    });

    test('the trail bucket sends its server access logs to the access-log bucket', () => {
      // GIVEN
      const { template: t } = synth();
      const accessLogsId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailAccessLogsBucket');
      const bucketId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailBucket');
      // THEN
      t.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        LoggingConfiguration: { DestinationBucketName: { Ref: accessLogsId }, LogFilePrefix: 'trail-bucket/' },
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: accessLogsId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'S3ServerAccessLogsDeliveryTrailBucket',
              Effect: 'Allow',
              Principal: { Service: 'logging.s3.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [accessLogsId, 'Arn'] }, '/trail-bucket/*']] },
              Condition: {
                ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId, 'Arn'] } },
                StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              },
            },
          ]),
        },
      });
    });

    test('the access-log bucket is SSE-S3 (all server access logging supports), versioned, private and without Object Lock', () => {
      // GIVEN
      const { template: t } = synth();
      const accessLogs = t.findResources('AWS::S3::Bucket', {
        Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } },
      });
      // THEN
      expect(Object.keys(accessLogs)).toHaveLength(1);
      const properties = Object.values(accessLogs)[0]!.Properties;
      expect(properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      expect(properties).not.toHaveProperty('ObjectLockEnabled');
      expect(properties).not.toHaveProperty('LoggingConfiguration');
    });

    test('both buckets deny requests without TLS', () => {
      // GIVEN
      const { template: t } = synth();
      // THEN
      for (const prefix of ['AuditTrailBucket', 'AuditTrailAccessLogsBucket']) {
        const bucketId = logicalId(t, 'AWS::S3::Bucket', prefix);
        t.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: bucketId },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Principal: { AWS: '*' },
                Action: 's3:*',
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    test('the key admits CloudTrail for this trail only', () => {
      // GIVEN
      const { trail, template: t } = synth();
      const sourceArn = trailArnFor(trail.trailName);
      // THEN
      t.hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: 'kms:GenerateDataKey*',
              Condition: {
                StringEquals: { 'aws:SourceArn': sourceArn },
                StringLike: {
                  'kms:EncryptionContext:aws:cloudtrail:arn': {
                    'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudtrail:*:', { Ref: 'AWS::AccountId' }, ':trail/*']],
                  },
                },
              },
            }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Action: ['kms:DescribeKey', 'kms:Decrypt'],
              Condition: { StringEquals: { 'aws:SourceArn': sourceArn } },
            }),
            Match.objectLike({ Sid: 'AllowCloudWatchLogsForThisAccount' }),
          ]),
        },
      });
    });

    test('an imported key encrypts the trail, the bucket and the log group, and its policy is left to its owner', () => {
      // GIVEN
      const stack = new Stack();
      const key = kms.Key.fromKeyArn(stack, 'Imported', IMPORTED_KEY_ARN);
      // WHEN
      const trail = new AuditTrail(stack, 'AuditTrail', { encryptionKey: key });
      // THEN
      const t = Template.fromStack(stack);
      expect(trail.encryptionKey).toBe(key);
      t.resourceCountIs('AWS::KMS::Key', 0);
      t.hasResourceProperties('AWS::CloudTrail::Trail', { KMSKeyId: IMPORTED_KEY_ARN });
      t.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: IMPORTED_KEY_ARN });
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: IMPORTED_KEY_ARN } },
          ],
        },
      });
      Annotations.fromStack(stack).hasWarning(
        '/Default/AuditTrail',
        Match.stringLikeRegexp('must already allow cloudtrail.amazonaws.com'),
      );
    });
  });

  describe('grants', () => {
    test('only CloudTrail, for this trail, may check the ACL of and write to the trail bucket', () => {
      // GIVEN
      const { trail, template: t } = synth();
      const bucketId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailBucket');
      const sourceArn = trailArnFor(trail.trailName);
      const policies = t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } });
      const statements = Object.values(policies)[0]!.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
      // THEN
      expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
          Condition: { StringEquals: { 'aws:SourceArn': sourceArn } },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': sourceArn } },
        },
      ]);
    });

    test('the log role is assumable by this trail only and writes to its log group only', () => {
      // GIVEN
      const { trail, template: t } = synth();
      const roleId = logicalId(t, 'AWS::IAM::Role', 'AuditTrailLogsRole');
      const logGroupId = logicalId(t, 'AWS::Logs::LogGroup', 'AuditTrailLogGroup');
      // THEN
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: 'sts:AssumeRole',
              Principal: { Service: 'cloudtrail.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceArn': trailArnFor(trail.trailName) } },
            },
          ],
        },
      });
      t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        Roles: [{ Ref: roleId }],
        PolicyDocument: {
          Statement: [
            {
              Effect: 'Allow',
              Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
            },
          ],
        },
      });
      t.resourceCountIs('AWS::IAM::Policy', 0);
    });

    test('grantRead lets a reader get log files and decrypt them through S3 only', () => {
      // GIVEN
      const stack = new Stack();
      const trail = new AuditTrail(stack, 'AuditTrail');
      const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
      // WHEN
      trail.grantRead(reader);
      // THEN
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: logicalId(t, 'AWS::IAM::Role', 'Reader') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) }),
            Match.objectLike({
              Action: 'kms:Decrypt',
              Resource: { 'Fn::GetAtt': [logicalId(t, 'AWS::KMS::Key', 'AuditTrailKey'), 'Arn'] },
              Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Join': ['', ['s3.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } } },
            }),
          ]),
        },
      });
    });
  });

  describe('configuration', () => {
    test('records data events for the chosen resource types only', () => {
      // GIVEN
      const { template: t } = synth({ dataEventResourceTypes: ['AWS::DynamoDB::Table', 'AWS::Bedrock::Guardrail'] });
      // THEN
      expect(dataTypesOf(t)).toEqual(['AWS::DynamoDB::Table', 'AWS::Bedrock::Guardrail']);
    });

    test('an empty list records management events only', () => {
      // GIVEN
      const { template: t } = synth({ dataEventResourceTypes: [] });
      // THEN
      expect(trailProperties(t).AdvancedEventSelectors).toEqual([
        { Name: 'All management events', FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] },
      ]);
    });

    test('a given trail name names the trail and every policy that refers to it', () => {
      // GIVEN
      const { template: t } = synth({ trailName: 'org.audit-trail_1' });
      // THEN
      t.hasResourceProperties('AWS::CloudTrail::Trail', { TrailName: 'org.audit-trail_1' });
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Condition: { StringEquals: { 'aws:SourceArn': trailArnFor('org.audit-trail_1') } } })],
        },
      });
    });

    test('objectLockMode COMPLIANCE locks every log file version in compliance mode', () => {
      // WHEN
      const { template: t } = synth({ objectLockMode: s3.ObjectLockMode.COMPLIANCE, objectLockRetention: Duration.days(400) });
      // THEN
      t.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockEnabled: true,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 400 } } },
      });
    });

    test('keeps caller-chosen retention periods and removal policy', () => {
      // GIVEN
      const { template: t } = synth({
        logRetention: logs.RetentionDays.TEN_YEARS,
        objectLockRetention: Duration.days(2555),
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // THEN
      t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 3653 });
      t.hasResourceProperties('AWS::S3::Bucket', {
        ObjectLockConfiguration: { Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 2555 } } },
      });
      for (const type of ['AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup']) {
        for (const resource of Object.values(t.findResources(type))) {
          expect(resource).toMatchObject({ DeletionPolicy: 'Delete' });
        }
      }
    });

    test('a shared access-log bucket receives the trail bucket\'s logs, and no access-log bucket of its own is created', () => {
      // GIVEN: the stack's access-log bucket, already receiving the logs of another bucket
      const stack = new Stack();
      const shared = new AccessLogsBucket(stack, 'AccessLogs');
      const other = new s3.Bucket(stack, 'Other');
      shared.allowLoggingFrom(other, 'other-bucket/');
      // WHEN
      const trail = new AuditTrail(stack, 'AuditTrail', { serverAccessLogsBucket: shared, removalPolicy: RemovalPolicy.DESTROY });
      // THEN
      const t = Template.fromStack(stack);
      expect(trail.accessLogsBucket).toBe(shared.bucket);
      expect(Object.keys(t.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('AuditTrailAccessLogs'))).toEqual([]);
      t.resourceCountIs('AWS::S3::Bucket', 3);
      const sharedId = logicalId(t, 'AWS::S3::Bucket', 'AccessLogs');
      const bucketId = logicalId(t, 'AWS::S3::Bucket', 'AuditTrailBucket');
      t.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: { DestinationBucketName: { Ref: sharedId }, LogFilePrefix: 'trail-bucket/' },
      });
      // Both sources are admitted, each for its own prefix and bucket ARN.
      const policy = Object.values(t.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: sharedId } } }));
      expect(policy).toHaveLength(1);
      const allows = (policy[0]!.Properties.PolicyDocument.Statement as Array<Record<string, any>>) // eslint-disable-line @typescript-eslint/no-explicit-any
        .filter((s) => s.Effect === 'Allow');
      expect(allows.map((s) => [s.Principal, s.Resource, s.Condition])).toEqual(
        [
          ['other-bucket/', logicalId(t, 'AWS::S3::Bucket', 'Other')],
          ['trail-bucket/', bucketId],
        ].map(([prefix, source]) => [
          { Service: 'logging.s3.amazonaws.com' },
          { 'Fn::Join': ['', [{ 'Fn::GetAtt': [sharedId, 'Arn'] }, `/${prefix}*`]] },
          {
            ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [source, 'Arn'] } },
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          },
        ]),
      );
      // The whole shared bucket stays out of S3 data events.
      const selectors = trailProperties(t).AdvancedEventSelectors as Selector[];
      expect(JSON.stringify(selectors)).toContain(JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [sharedId, 'Arn'] }, '/']] }));
      // The trail's removal policy is not the shared bucket's.
      expect(t.findResources('AWS::S3::Bucket')[sharedId]).toMatchObject({ DeletionPolicy: 'Retain' });
      expect(t.findResources('AWS::S3::Bucket')[bucketId]).toMatchObject({ DeletionPolicy: 'Delete' });
    });

    test('warns when the log group keeps events for less than a year', () => {
      // GIVEN
      const { stack } = synth({ logRetention: logs.RetentionDays.THREE_MONTHS });
      // THEN
      Annotations.fromStack(stack).hasWarning('/Default/AuditTrail', Match.stringLikeRegexp('logRetention is 90 days'));
    });
  });

  describe('validation', () => {
    test('fails if a data event resource type is empty', () => {
      expect(() => synth({ dataEventResourceTypes: [''] })).toThrow(
        /dataEventResourceTypes entries must be CloudTrail resource types like "AWS::Lambda::Function", got ""/,
      );
    });

    test('fails if a data event resource type is not AWS::Service::Type', () => {
      expect(() => synth({ dataEventResourceTypes: ['AWS::Lambda'] })).toThrow(
        /dataEventResourceTypes entries must be .* got "AWS::Lambda"/,
      );
      expect(() => synth({ dataEventResourceTypes: ['aws::s3::object'] })).toThrow(/got "aws::s3::object"/);
    });

    test('fails if a data event resource type is listed twice', () => {
      expect(() => synth({ dataEventResourceTypes: ['AWS::S3::Object', 'AWS::S3::Object'] })).toThrow(
        /dataEventResourceTypes must not repeat a resource type, got "AWS::S3::Object" twice/,
      );
    });

    test('fails if trailName breaks the CloudTrail naming rules', () => {
      for (const name of ['ab', 'my--trail', '-trail', 'trail.', 'has space', '192.168.5.4', 'x'.repeat(129)]) {
        expect(() => synth({ trailName: name })).toThrow(/trailName must be 3-128 letters/);
      }
    });

    test('accepts an unresolved trailName', () => {
      const stack = new Stack();
      expect(() => new AuditTrail(stack, 'AuditTrail', { trailName: Token.asString({ Ref: 'TrailName' }) })).not.toThrow();
    });

    test('fails if logRetention is infinite', () => {
      expect(() => synth({ logRetention: logs.RetentionDays.INFINITE })).toThrow(
        /logRetention must be a finite period, got RetentionDays.INFINITE/,
      );
    });

    test('fails if objectLockRetention is not a whole number of days between 1 and 36500', () => {
      expect(() => synth({ objectLockRetention: Duration.hours(36) })).toThrow(
        /objectLockRetention must be a whole number of days between 1 and 36500, got 1 day 12 hours/,
      );
      expect(() => synth({ objectLockRetention: Duration.days(36501) })).toThrow(/objectLockRetention must be/);
    });
  });
});
