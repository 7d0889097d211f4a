import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SecureKnowledgeBase, type SecureKnowledgeBaseProps } from '../../../constructs/knowledge-base';
import { withoutCloudFormationValidator } from '../../helpers/validation';

// Stacks in an App of aws-cdk-lib's defaults, read as templates: no CloudFormation validator (see the helper).
withoutCloudFormationValidator();

function setup(extra: Partial<SecureKnowledgeBaseProps> = {}): { stack: Stack; kb: SecureKnowledgeBase; template: Template } {
  const stack = new Stack(new App(), 'Kb', { env: { account: '111122223333', region: 'eu-west-1' } });
  const dataKey = new kms.Key(stack, 'DataKey', { enableKeyRotation: true });
  const dataBucket = new s3.Bucket(stack, 'Documents', { encryption: s3.BucketEncryption.KMS, encryptionKey: dataKey });
  const alarmTopic = new sns.Topic(stack, 'Alerts');
  const kb = new SecureKnowledgeBase(stack, 'KnowledgeBase', { dataBucket, dataKey, alarmTopic, ...extra });
  return {
    stack,
    kb,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

/** A template value with `Fn::Join` and the partition/region/account pseudo parameters resolved, for comparisons. */
function flat(value: unknown): unknown {
  const json = JSON.stringify(value, (_k, v: unknown) => {
    if (v !== null && typeof v === 'object' && Array.isArray((v as Record<string, unknown>)['Fn::Join'])) {
      const [sep, parts] = (v as Record<string, [string, unknown[]]>)['Fn::Join']!;
      return parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(sep);
    }
    return v;
  });
  return JSON.parse(json.replace(/\{\\"Ref\\":\\"AWS::Partition\\"\}/g, 'aws'));
}

function rolePolicyStatements(template: Template, roleIdPart: string): Array<Record<string, unknown>> {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const entry = Object.entries(policies).find(([id]) => id.includes(roleIdPart));
  return flat(entry![1].Properties.PolicyDocument.Statement) as Array<Record<string, unknown>>;
}

describe('defaults', () => {
  const { template } = setup();


  test('a vector knowledge base on S3 Vectors with Titan Text Embeddings V2 at 1024 dimensions', () => {
    const kb = flat(Object.values(template.findResources('AWS::Bedrock::KnowledgeBase'))[0]!.Properties);
    expect(kb).toMatchObject({
      KnowledgeBaseConfiguration: {
        Type: 'VECTOR',
        VectorKnowledgeBaseConfiguration: {
          EmbeddingModelArn: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0',
          EmbeddingModelConfiguration: { BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' } },
        },
      },
      StorageConfiguration: { Type: 'S3_VECTORS', S3VectorsConfiguration: { IndexArn: { 'Fn::GetAtt': [expect.stringMatching(/VectorIndex/), 'IndexArn'] } } },
    });
  });

  test('a cosine index of the model dimension keeps Bedrock text and metadata non-filterable', () => {
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      DataType: 'float32',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      MetadataConfiguration: { NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'] },
    });
  });

  test('the data source reads the indexed prefix, deletes vectors with documents and screens chunks after chunking', () => {
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      DataDeletionPolicy: 'DELETE',
      DataSourceConfiguration: { Type: 'S3', S3Configuration: Match.objectLike({ InclusionPrefixes: ['indexed/'] }) },
      ServerSideEncryptionConfiguration: { KmsKeyArn: Match.anyValue() },
      VectorIngestionConfiguration: {
        ChunkingConfiguration: { ChunkingStrategy: 'FIXED_SIZE', FixedSizeChunkingConfiguration: { MaxTokens: 300, OverlapPercentage: 20 } },
        CustomTransformationConfiguration: {
          IntermediateStorage: { S3Location: { URI: Match.anyValue() } },
          Transformations: [
            { StepToApply: 'POST_CHUNKING', TransformationFunction: { TransformationLambdaConfiguration: { LambdaArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChunkScreen'), 'Arn'] } } } },
          ],
        },
      },
    });
  });

  test('the chunk screen is arm64, traced, with reserved concurrency and a KMS log group, and alarms to the topic', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      ReservedConcurrentExecutions: 5,
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'SuspiciousChunks',
      Threshold: 1,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('Alerts') }],
    });
  });

  test('the service role trusts Bedrock for this account\'s knowledge bases only', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role')).map((r) => flat(r.Properties));
    expect(roles).toContainEqual(expect.objectContaining({
      AssumeRolePolicyDocument: {
        Statement: [
          expect.objectContaining({
            Principal: { Service: 'bedrock.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/*' },
            },
          }),
        ],
        Version: '2012-10-17',
      },
    }));
  });

  test('the service role invokes only the embedding model and reads only the indexed prefix', () => {
    const statements = rolePolicyStatements(template, 'ServiceRole');
    const invoke = statements.filter((s) => JSON.stringify(s.Action).includes('bedrock:'));
    expect(invoke).toEqual([
      expect.objectContaining({ Action: 'bedrock:InvokeModel', Resource: 'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0' }),
    ]);
    const read = statements.find((s) => s.Sid === 'ReadIndexedDocuments')!;
    expect(JSON.stringify(read.Resource)).toContain('/indexed/*');
    const list = statements.find((s) => s.Sid === 'ListIndexedDocuments')!;
    expect(list.Condition).toEqual(expect.objectContaining({ StringLike: { 's3:prefix': ['indexed/*'] } }));
    const vectors = statements.find((s) => s.Sid === 'UseVectorIndex')!;
    expect(vectors.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/VectorIndex/), 'IndexArn'] });
  });
});

describe('encryption', () => {
  const { template } = setup();

  test('the vector bucket is SSE-KMS with the customer-managed key', () => {
    template.hasResourceProperties('AWS::S3Vectors::VectorBucket', {
      EncryptionConfiguration: { SseType: 'aws:kms', KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('KnowledgeBaseKey'), 'Arn'] } },
    });
  });

  test('the key lets the S3 Vectors indexing service decrypt S3 Vectors data of this account\'s vector buckets only', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')).map((k) => flat(k.Properties.KeyPolicy) as { Statement: unknown[] });
    expect(keys.flatMap((k) => k.Statement)).toContainEqual(
          expect.objectContaining({
            Principal: { Service: 'indexing.s3vectors.amazonaws.com' },
            Action: 'kms:Decrypt',
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111122223333' },
              ArnLike: { 'aws:SourceArn': 'arn:aws:s3vectors:eu-west-1:111122223333:bucket/*' },
              'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'] },
            },
          }),
    );
  });

  test('the service role may use the key for ingestion\'s transient data directly, as Bedrock documents, and the key admits only its IAM path', () => {
    // GIVEN: Bedrock documents this permission on the service role with no kms:ViaService condition
    // (Amazon Bedrock User Guide, "Encryption of transient data storage during data ingestion").
    const roles = Object.values(template.findResources('AWS::IAM::Role')).filter((r) => String(r.Properties.Description).startsWith('Knowledge base '));
    expect(roles).toHaveLength(1);
    const path = roles[0]!.Properties.Path as string;
    // THEN: the role is on a path of its own
    expect(path).toMatch(/^\/secure-llm-knowledge-base\/KbKnowledgeBase[0-9A-F]{8}\/$/);
    // ...its policy allows the two actions on the key, without kms:ViaService
    const transient = rolePolicyStatements(template, 'KnowledgeBaseServiceRole').filter((s) => s.Sid === 'EncryptIngestionTransientData');
    expect(transient).toEqual([
      { Sid: 'EncryptIngestionTransientData', Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KnowledgeBaseKey/), 'Arn'] } },
    ]);
    // ...and the key policy admits those two actions directly for roles on that path only
    const [, key] = Object.entries(template.findResources('AWS::KMS::Key')).find(([id]) => id.startsWith('KnowledgeBaseKey'))!;
    const keyPolicy = flat(key.Properties.KeyPolicy) as { Statement: Array<Record<string, unknown>> };
    const direct = keyPolicy.Statement.filter((s) => JSON.stringify(s.Condition ?? {}).includes('aws:PrincipalArn') && JSON.stringify(s.Action).includes('kms:GenerateDataKey'));
    expect(direct).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: '*',
        Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::111122223333:role${path}*` } },
      },
    ]);
  });

  test('the vector bucket policy denies vector data to every other principal and every request without TLS', () => {
    const policy = Object.values(template.findResources('AWS::S3Vectors::VectorBucketPolicy'))[0]!.Properties.Policy;
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: expect.arrayContaining(['s3vectors:QueryVectors', 's3vectors:GetVectors', 's3vectors:PutVectors']),
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/ServiceRole/), 'Arn'] } } },
      }),
      expect.objectContaining({ Effect: 'Deny', Action: 's3vectors:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
  });

  test('the intermediate bucket is KMS-encrypted, TLS-only and private', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'kb-intermediate/' }),
    });
  });
});

describe('grants', () => {
  test('grantRetrieve allows bedrock:Retrieve on this knowledge base only', () => {
    // GIVEN
    const { stack, kb } = setup();
    const role = new iam.Role(stack, 'Gateway', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // WHEN
    kb.grantRetrieve(role);

    // THEN
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement);
    expect(policies).toEqual([
      [{ Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KnowledgeBase/), 'KnowledgeBaseArn'] } }],
    ]);
  });
});

describe('grants (ingestion)', () => {
  test('grantStartIngestion allows starting and reading ingestion jobs of this knowledge base only', () => {
    // GIVEN
    const { stack, kb } = setup();
    const role = new iam.Role(stack, 'Ingestion', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    // WHEN
    kb.grantStartIngestion(role);

    // THEN
    const policies = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).map((p) => p.Properties.PolicyDocument.Statement);
    expect(policies).toEqual([
      [
        {
          Effect: 'Allow',
          Action: ['bedrock:StartIngestionJob', 'bedrock:GetIngestionJob'],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^KnowledgeBase/), 'KnowledgeBaseArn'] },
        },
      ],
    ]);
  });
});

describe('network', () => {
  test('in a VPC, the chunk screen may send HTTPS only to the S3 prefix list', () => {
    // GIVEN
    const stack = new Stack(new App(), 'Kb', { env: { account: '111122223333', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const dataKey = new kms.Key(stack, 'DataKey');

    // WHEN
    new SecureKnowledgeBase(stack, 'KnowledgeBase', {
      dataBucket: new s3.Bucket(stack, 'Documents'),
      dataKey,
      alarmTopic: new sns.Topic(stack, 'Alerts'),
      vpc,
      s3PrefixListId: 'pl-6da54004',
    });

    // THEN
    const template = Template.fromStack(stack);
    const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress')).map((r) => r.Properties);
    expect(egress).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, DestinationPrefixListId: 'pl-6da54004', GroupId: { 'Fn::GetAtt': [expect.stringMatching(/ChunkScreenSecurityGroup/), 'GroupId'] } }),
    ]);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', { GroupDescription: Match.stringLikeRegexp('chunk screen'), SecurityGroupEgress: Match.absent() });
    template.hasResourceProperties('AWS::Lambda::Function', { VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }) });
  });
});

describe('validation', () => {
  test('fails if the embedding model is not allow-listed', () => {
    expect(() => setup({ embeddingModelId: 'amazon.titan-embed-image-v1' })).toThrow(
      /embeddingModelId must be one of amazon.titan-embed-text-v2:0, .*got "amazon.titan-embed-image-v1"/,
    );
  });

  test('fails if the dimension is not one the model produces', () => {
    expect(() => setup({ embeddingDimensions: 1536 })).toThrow(/embeddingDimensions must be one of 1024, 512, 256 for amazon.titan-embed-text-v2:0, got 1536/);
  });

  test('fails if the inclusion prefix does not end with a slash', () => {
    expect(() => setup({ inclusionPrefix: 'indexed' })).toThrow(/inclusionPrefix must be a key prefix ending with "\/".*got "indexed"/);
  });

  test('fails if chunk sizes are out of range', () => {
    expect(() => setup({ chunkMaxTokens: 10 })).toThrow(/chunkMaxTokens must be a whole number from 20 to 8192, got 10/);
    expect(() => setup({ chunkOverlapPercentage: 100 })).toThrow(/chunkOverlapPercentage must be a whole number from 1 to 99, got 100/);
  });

  test('fails if a VPC is given without the S3 prefix list', () => {
    const stack = new Stack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    expect(
      () =>
        new SecureKnowledgeBase(stack, 'KnowledgeBase', {
          dataBucket: new s3.Bucket(stack, 'Documents'),
          dataKey: new kms.Key(stack, 'DataKey'),
          alarmTopic: new sns.Topic(stack, 'Alerts'),
          vpc,
        }),
    ).toThrow(/s3PrefixListId must be given with vpc/);
  });
});
