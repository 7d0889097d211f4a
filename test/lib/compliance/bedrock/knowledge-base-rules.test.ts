import { App, Stack } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as opensearchserverless from 'aws-cdk-lib/aws-opensearchserverless';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import { IConstruct } from 'constructs';
import { BedrockChecks } from '../../../../lib/compliance/bedrock';

const KB_ARN = 'arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/KB12345678';

/** The pack's findings for one rule, as `<rule id> at <construct path>`. */
function findings(scope: IConstruct, rule: string): string[] {
  return new BedrockChecks()
    .validateScope(scope)
    .violations.filter((v) => v.ruleName.startsWith(`SecureLLM-${rule}`))
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
}

function newStack(): Stack {
  return new Stack(new App(), 'Test');
}

describe('KnowledgeBaseVectorStorePrivate', () => {
  test('a vector bucket on a customer-managed key with a conditioned policy is compliant', () => {
    // GIVEN
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3vectors.CfnVectorBucket(stack, 'Vectors', { encryptionConfiguration: { sseType: 'aws:kms', kmsKeyArn: key.keyArn } });
    new s3vectors.CfnIndex(stack, 'Index', { vectorBucketArn: bucket.attrVectorBucketArn, dataType: 'float32', dimension: 1024, distanceMetric: 'cosine' });
    new s3vectors.CfnVectorBucketPolicy(stack, 'Policy', {
      vectorBucketArn: bucket.attrVectorBucketArn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'DenyOthers', Effect: 'Deny', Principal: '*', Action: 's3vectors:QueryVectors', Resource: '*' },
          { Sid: 'ThisAccount', Effect: 'Allow', Principal: '*', Action: 's3vectors:QueryVectors', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalAccount': '111122223333' } } },
        ],
      },
    });

    // THEN
    expect(findings(stack, 'KnowledgeBaseVectorStorePrivate')).toEqual([]);
  });

  test('fails if a vector bucket uses S3-managed keys or no encryption configuration', () => {
    // GIVEN
    const stack = newStack();
    new s3vectors.CfnVectorBucket(stack, 'Managed', { encryptionConfiguration: { sseType: 'AES256' } });
    new s3vectors.CfnVectorBucket(stack, 'Unencrypted', {});
    new s3vectors.CfnVectorBucket(stack, 'AwsKey', { encryptionConfiguration: { sseType: 'aws:kms', kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:alias/aws/s3' } });

    // THEN
    expect(findings(stack, 'KnowledgeBaseVectorStorePrivate')).toEqual([
      'SecureLLM-KnowledgeBaseVectorStorePrivate[Encryption::AES256] at Test/Managed',
      'SecureLLM-KnowledgeBaseVectorStorePrivate[Encryption::none] at Test/Unencrypted',
      'SecureLLM-KnowledgeBaseVectorStorePrivate[Encryption::aws:kms] at Test/AwsKey',
    ]);
  });

  test('fails if an index overrides its bucket with S3-managed keys', () => {
    const stack = newStack();
    new s3vectors.CfnIndex(stack, 'Index', {
      vectorBucketName: 'vectors',
      dataType: 'float32',
      dimension: 1024,
      distanceMetric: 'cosine',
      encryptionConfiguration: { sseType: 'AES256' },
    });
    expect(findings(stack, 'KnowledgeBaseVectorStorePrivate')).toEqual(['SecureLLM-KnowledgeBaseVectorStorePrivate[Encryption::AES256] at Test/Index']);
  });

  test('fails if a vector bucket policy allows a public principal without a limiting condition', () => {
    const stack = newStack();
    new s3vectors.CfnVectorBucketPolicy(stack, 'Policy', {
      vectorBucketName: 'vectors',
      policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Anyone', Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3vectors:QueryVectors', Resource: '*' },
          { Sid: 'AnyoneOverTls', Effect: 'Allow', Principal: '*', Action: 's3vectors:GetVectors', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        ],
      }),
    });
    expect(findings(stack, 'KnowledgeBaseVectorStorePrivate')).toEqual([
      'SecureLLM-KnowledgeBaseVectorStorePrivate[PublicStatement::Anyone] at Test/Policy',
      'SecureLLM-KnowledgeBaseVectorStorePrivate[PublicStatement::AnyoneOverTls] at Test/Policy',
    ]);
  });

  test('fails if an OpenSearch Serverless collection uses an AWS-owned key or public network access', () => {
    // GIVEN
    const stack = newStack();
    new opensearchserverless.CfnSecurityPolicy(stack, 'Encryption', {
      name: 'kb-encryption',
      type: 'encryption',
      policy: JSON.stringify({ Rules: [{ ResourceType: 'collection', Resource: ['collection/kb'] }], AWSOwnedKey: true }),
    });
    new opensearchserverless.CfnSecurityPolicy(stack, 'Network', {
      name: 'kb-network',
      type: 'network',
      policy: JSON.stringify([{ Rules: [{ ResourceType: 'collection', Resource: ['collection/kb'] }], AllowFromPublic: true }]),
    });
    new opensearchserverless.CfnSecurityPolicy(stack, 'PrivateNetwork', {
      name: 'kb-private',
      type: 'network',
      policy: JSON.stringify([{ Rules: [{ ResourceType: 'collection', Resource: ['collection/kb'] }], AllowFromPublic: false, SourceVPCEs: ['vpce-1'] }]),
    });
    new opensearchserverless.CfnSecurityPolicy(stack, 'CustomerKey', {
      name: 'kb-cmk',
      type: 'encryption',
      policy: JSON.stringify({ Rules: [{ ResourceType: 'collection', Resource: ['collection/kb'] }], AWSOwnedKey: false, KmsARN: 'arn:aws:kms:eu-west-1:111122223333:key/1' }),
    });

    // THEN
    expect(findings(stack, 'KnowledgeBaseVectorStorePrivate')).toEqual([
      'SecureLLM-KnowledgeBaseVectorStorePrivate[AwsOwnedKey] at Test/Encryption',
      'SecureLLM-KnowledgeBaseVectorStorePrivate[PublicNetwork] at Test/Network',
    ]);
  });
});

describe('RetrieveNamedKnowledgeBases', () => {
  test('retrieval on a named knowledge base, in an identity or endpoint policy, is compliant', () => {
    // GIVEN
    const stack = newStack();
    new iam.ManagedPolicy(stack, 'Policy', { statements: [new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [KB_ARN] })] });
    const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const endpoint = vpc.addInterfaceEndpoint('AgentRuntime', { service: ec2.InterfaceVpcEndpointAwsService.BEDROCK_AGENT_RUNTIME });
    endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['bedrock:Retrieve'], resources: [KB_ARN] }));

    // THEN
    expect(findings(stack, 'RetrieveNamedKnowledgeBases')).toEqual([]);
  });

  test('fails if retrieval is granted on every knowledge base, through a wildcard action or NotResource', () => {
    // GIVEN
    const stack = newStack();
    new iam.ManagedPolicy(stack, 'Star', { statements: [new iam.PolicyStatement({ actions: ['bedrock:Retrieve*'], resources: ['*'] })] });
    new iam.ManagedPolicy(stack, 'AllKbs', {
      statements: [new iam.PolicyStatement({ actions: ['bedrock:RetrieveAndGenerate'], resources: ['arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/*'] })],
    });
    new iam.ManagedPolicy(stack, 'Not', { statements: [new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], notResources: [KB_ARN] })] });

    // THEN
    expect(findings(stack, 'RetrieveNamedKnowledgeBases')).toEqual([
      'SecureLLM-RetrieveNamedKnowledgeBases[Resource::*] at Test/Star/Resource',
      'SecureLLM-RetrieveNamedKnowledgeBases[Resource::arn:aws:bedrock:eu-west-1:111122223333:knowledge-base/*] at Test/AllKbs/Resource',
      `SecureLLM-RetrieveNamedKnowledgeBases[NotResource::${KB_ARN}] at Test/Not/Resource`,
    ]);
  });
});

describe('DocumentBucketNotWritableByRetriever', () => {
  function dataSourceOn(stack: Stack, bucket: s3.IBucket): void {
    new bedrock.CfnDataSource(stack, 'DataSource', {
      knowledgeBaseId: 'KB12345678',
      name: 'docs',
      dataSourceConfiguration: { type: 'S3', s3Configuration: { bucketArn: bucket.bucketArn, inclusionPrefixes: ['indexed/'] } },
    });
  }

  test('a retrieval role that only reads, and an uploader that does not retrieve, are compliant', () => {
    // GIVEN
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Documents');
    dataSourceOn(stack, bucket);
    const retriever = new iam.Role(stack, 'Retriever', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    retriever.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [KB_ARN] }));
    bucket.grantRead(retriever);
    const uploader = new iam.Role(stack, 'Uploader', { assumedBy: new iam.AccountRootPrincipal() });
    bucket.grantPut(uploader);

    // THEN
    expect(findings(stack, 'DocumentBucketNotWritableByRetriever')).toEqual([]);
  });

  test('fails if the retrieval role may write the data source bucket', () => {
    // GIVEN
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Documents');
    dataSourceOn(stack, bucket);
    const retriever = new iam.Role(stack, 'Retriever', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    retriever.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [KB_ARN] }));
    // A separate managed policy, so the finding follows the principal across documents.
    new iam.ManagedPolicy(stack, 'Writes', { roles: [retriever], statements: [new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('indexed/*')] })] });

    // THEN
    expect(findings(stack, 'DocumentBucketNotWritableByRetriever')).toEqual([
      expect.stringMatching(/^SecureLLM-DocumentBucketNotWritableByRetriever\[Principal::Role:Retriever[0-9A-F]+\] at Test\/DataSource$/),
    ]);
  });

  test('fails if the retrieval role may delete any object (s3:* on *)', () => {
    // GIVEN
    const stack = newStack();
    dataSourceOn(stack, s3.Bucket.fromBucketName(stack, 'Imported', 'team-docs'));
    const retriever = new iam.Role(stack, 'Retriever', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    retriever.addToPolicy(new iam.PolicyStatement({ actions: ['bedrock:Retrieve'], resources: [KB_ARN] }));
    retriever.addToPolicy(new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] }));

    // THEN
    expect(findings(stack, 'DocumentBucketNotWritableByRetriever')).toHaveLength(1);
  });
});
