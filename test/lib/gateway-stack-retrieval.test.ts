import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config';
import { GatewayStack } from '../../lib/gateway-stack';
import { START_INGESTION_JOB_TARGET } from '../../constructs';
import { newTemplateApp } from '../helpers/compliance';

const RETRIEVAL_CONFIG = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'config', 'retrieval.json'), 'utf8'));

/** The logical id of the only resource of `type` whose logical id starts with `prefix`. */
function only(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

describe('GatewayStack with retrieval (config/retrieval.json)', () => {
  let template: Template;
  let kbId: string;
  beforeAll(() => {
    // GIVEN the committed retrieval configuration (its compliance run, with every check: test/lib/environments)
    const app = newTemplateApp();
    const config = parseConfig(RETRIEVAL_CONFIG);
    // WHEN
    const stack = new GatewayStack(app, 'Gateway', {
      env: { account: config.env!.account, region: config.env!.region },
      config: config.gateway,
      keyAdministratorRoleArns: config.keyAdministratorRoleArns,
    });
    template = Template.fromStack(stack);
    kbId = only(template, 'AWS::Bedrock::KnowledgeBase', 'KnowledgeBase');
  });

  describe('defaults', () => {
    test('builds the knowledge base over S3 Vectors with its data source on the indexed area', () => {
      // THEN
      template.resourceCountIs('AWS::S3Vectors::VectorBucket', 1);
      template.hasResourceProperties('AWS::S3Vectors::Index', { Dimension: 1024, DistanceMetric: 'cosine' });
      template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
        StorageConfiguration: { Type: 'S3_VECTORS' },
        KnowledgeBaseConfiguration: Match.objectLike({
          VectorKnowledgeBaseConfiguration: Match.objectLike({ EmbeddingModelArn: Match.stringLikeRegexp('amazon\\.titan-embed-text-v2:0$') }),
        }),
      });
      template.hasResourceProperties('AWS::Bedrock::DataSource', {
        KnowledgeBaseId: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] },
        DataDeletionPolicy: 'DELETE',
        DataSourceConfiguration: {
          Type: 'S3',
          S3Configuration: Match.objectLike({ BucketArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DocumentsBucket'), 'Arn'] }, InclusionPrefixes: ['indexed/'] }),
        },
      });
    });

    test('the chunk screen runs in the VPC and the network has exactly one S3 gateway endpoint, whose policy covers the document and intermediate buckets', () => {
      // THEN
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('^Knowledge-base custom transformation'),
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      });
      const endpoints = Object.values(template.findResources('AWS::EC2::VPCEndpoint')).filter((r) =>
        JSON.stringify(r.Properties.ServiceName).includes('.s3'),
      );
      expect(endpoints).toHaveLength(1);
      const statements = endpoints[0]!.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
      const intermediate = only(template, 'AWS::S3::Bucket', 'KnowledgeBaseIntermediateBucket');
      const documents = only(template, 'AWS::S3::Bucket', 'DocumentsBucket');
      const text = JSON.stringify(statements);
      expect(text).toContain(`"${intermediate}"`);
      expect(text).toContain(`"${documents}"`);
      expect(text).not.toMatch(/"Resource":"\*"/);
    });

    test('the bound alias carries the knowledge base id, and Retrieve is allowed on its ARN only, in the role and the agent-runtime endpoint', () => {
      // THEN
      const kbArn = { 'Fn::Join': ['', [Match.stringLikeRegexp(':knowledge-base/$'), { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] }]] };
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            KNOWLEDGE_BASE_IDS: { 'Fn::Join': ['', ['{"search-docs":"', { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] }, '"}']] },
          }),
        },
      });
      template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'bedrock:Retrieve', Resource: kbArn })]) },
      });
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: Match.stringLikeRegexp('bedrock-agent-runtime$'),
        PolicyDocument: { Statement: [Match.objectLike({ Action: 'bedrock:Retrieve', Resource: kbArn })] },
      });
      const retrieveOnStar = JSON.stringify(template.toJSON()).match(/"Action":"bedrock:Retrieve","Effect":"Allow"(,"Principal":\{[^}]*\})?,"Resource":"\*"/);
      expect(retrieveOnStar).toBeNull();
    });

    test('a schedule starts ingestion jobs of that data source every 15 minutes, encrypted, with a dead-letter queue and a role limited to StartIngestionJob on the knowledge base', () => {
      // THEN
      const dataSourceId = only(template, 'AWS::Bedrock::DataSource', 'KnowledgeBaseDataSource');
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: 'rate(15 minutes)',
        KmsKeyArn: Match.anyValue(),
        Target: Match.objectLike({
          // config/retrieval.json pins its region, so the partition is known at synth.
          Arn: `arn:aws:scheduler:::${START_INGESTION_JOB_TARGET}`,
          Input: {
            'Fn::Join': ['', ['{"KnowledgeBaseId":"', { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] }, '","DataSourceId":"', { 'Fn::GetAtt': [dataSourceId, 'DataSourceId'] }, '"}']],
          },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^KnowledgeBaseSyncDeadLetterQueue'), 'Arn'] } },
        }),
      });
      const policyId = only(template, 'AWS::IAM::ManagedPolicy', 'KnowledgeBaseSyncRolePolicy');
      const statements = template.toJSON().Resources[policyId].Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>;
      const bedrock = statements.filter((s) => JSON.stringify(s.Action).includes('bedrock:'));
      expect(bedrock).toEqual([
        expect.objectContaining({ Action: 'bedrock:StartIngestionJob', Resource: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseArn'] } }),
      ]);
      expect(JSON.stringify(statements)).not.toContain('"Resource":"*"');
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }) })],
        },
      });
    });

    test('outputs the knowledge base and data source ids', () => {
      // THEN
      template.hasOutput('KnowledgeBaseId', { Value: { 'Fn::GetAtt': [kbId, 'KnowledgeBaseId'] } });
      template.hasOutput('KnowledgeBaseDataSourceId', Match.anyValue());
    });
  });

  describe('validation', () => {
    const bound = { modelId: 'amazon.nova-lite-v1:0', retrieval: { knowledgeBaseId: 'blueprint' } };
    test('fails if an alias binds "blueprint" without gateway.retrieval', () => {
      expect(() => parseConfig({ gateway: { models: { handbook: bound } } })).toThrow(
        /gateway\.models\.handbook\.retrieval\.knowledgeBaseId: is "blueprint", the knowledge base this blueprint builds from gateway\.retrieval, which is not configured: add gateway\.retrieval.*got "blueprint"/,
      );
    });
    test('fails if knowledgeBaseId is neither "blueprint" nor a knowledge-base id', () => {
      expect(() => parseConfig({ gateway: { models: { handbook: { ...bound, retrieval: { knowledgeBaseId: 'mine' } } } } })).toThrow(
        /gateway\.models\.handbook\.retrieval\.knowledgeBaseId: must be "blueprint" \(the knowledge base of gateway\.retrieval\) or a knowledge-base id.*got "mine"/,
      );
    });
    test('fails if the embedding model is not allow-listed', () => {
      const input = structuredClone(RETRIEVAL_CONFIG);
      input.gateway.retrieval.knowledgeBase.embeddingModelId = 'amazon.titan-embed-text-v1';
      expect(() => parseConfig(input)).toThrow(/gateway\.retrieval\.knowledgeBase\.embeddingModelId: must be one of amazon\.titan-embed-text-v2:0, .*got "amazon\.titan-embed-text-v1"/);
    });
    test('fails if the dimension is not one the model produces', () => {
      const input = structuredClone(RETRIEVAL_CONFIG);
      input.gateway.retrieval.knowledgeBase = { embeddingModelId: 'cohere.embed-english-v3', embeddingDimensions: 512 };
      expect(() => parseConfig(input)).toThrow(/gateway\.retrieval\.knowledgeBase\.embeddingDimensions: must be one of 1024 for cohere\.embed-english-v3, got 512/);
    });
    test('fails if syncIntervalMinutes is below 5', () => {
      const input = structuredClone(RETRIEVAL_CONFIG);
      input.gateway.retrieval.syncIntervalMinutes = 1;
      expect(() => parseConfig(input)).toThrow(/gateway\.retrieval\.syncIntervalMinutes: .*got 1/);
    });
  });
});
