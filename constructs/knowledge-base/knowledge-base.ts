import { Annotations, ArnFormat, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  CHUNK_SCREEN_ENV,
  CHUNK_SCREEN_METRICS_NAMESPACE,
  CHUNK_SCREEN_SERVICE_NAME,
  SCREENED_PREFIX,
  SUSPICIOUS_CHUNKS_METRIC,
} from '../../lambda/shared/chunk-screen-contract';
import { AccessLogsBucket } from '../access-logs-bucket';
import { SecureKey } from '../secure-key';
import { ManagedPolicyRole } from '../shared/managed-policy-role';
import { nagFindingText } from '../shared/nag-finding';
import { SecureBucket } from '../shared/secure-bucket';
import { SecureFunction } from '../shared/secure-function';

/**
 * The embedding models a knowledge base may use, with the vector dimensions each produces. Only Bedrock text-embedding
 * models that Knowledge Bases support and that return float vectors S3 Vectors can store.
 */
export const KNOWLEDGE_BASE_EMBEDDING_MODELS: Readonly<Record<string, readonly number[]>> = {
  'amazon.titan-embed-text-v2:0': [1024, 512, 256],
  'cohere.embed-english-v3': [1024],
  'cohere.embed-multilingual-v3': [1024],
};

/** The default embedding model: Amazon Titan Text Embeddings V2. */
export const DEFAULT_EMBEDDING_MODEL_ID = 'amazon.titan-embed-text-v2:0';

/**
 * The metadata keys Bedrock Knowledge Bases write to every vector in S3 Vectors: the chunk's text and Bedrock's own
 * metadata. Declared non-filterable on the index, so they do not count against S3 Vectors' 2 KB of filterable
 * metadata per vector, and user attributes such as `tenant` stay filterable.
 */
export const BEDROCK_NON_FILTERABLE_METADATA_KEYS: readonly string[] = ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'];

/** The vector data-plane actions: what only the knowledge-base role may call on the vector bucket. */
const VECTOR_DATA_ACTIONS = ['s3vectors:PutVectors', 's3vectors:GetVectors', 's3vectors:DeleteVectors', 's3vectors:QueryVectors', 's3vectors:ListVectors'];

/** Properties for {@link SecureKnowledgeBase}. */
export interface SecureKnowledgeBaseProps {
  /** The bucket holding the screened documents (e.g. `DocumentIngestion.bucket`). The knowledge base reads it under `inclusionPrefix` only. */
  readonly dataBucket: s3.IBucket;

  /** The key of the document bucket (e.g. `DocumentIngestion.encryptionKey`); the knowledge-base role may decrypt with it through S3 only. */
  readonly dataKey: kms.IKey;

  /**
   * The key prefix of the documents that may be indexed: only what the document screen has released. Must end with `/`.
   * @default 'indexed/'
   */
  readonly inclusionPrefix?: string;

  /** The topic that receives the alarm on chunks the chunk screen withheld from the index. */
  readonly alarmTopic: sns.ITopic;

  /**
   * The Bedrock embedding model, one of {@link KNOWLEDGE_BASE_EMBEDDING_MODELS}.
   * @default 'amazon.titan-embed-text-v2:0' (Amazon Titan Text Embeddings V2)
   */
  readonly embeddingModelId?: string;

  /**
   * The vector dimension: one the embedding model produces.
   * @default 1024
   */
  readonly embeddingDimensions?: number;

  /**
   * Most tokens per chunk (fixed-size chunking), 20 to 8192.
   * @default 300
   */
  readonly chunkMaxTokens?: number;

  /**
   * Overlap between consecutive chunks, in percent of `chunkMaxTokens`, 1 to 99.
   * @default 20
   */
  readonly chunkOverlapPercentage?: number;

  /**
   * Key for the vectors, the intermediate bucket, Bedrock's transient ingestion data and the chunk screen's logs.
   * @default - a new SecureKey with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * The VPC to run the chunk screen in. It reaches S3 through the VPC's S3 gateway endpoint only (`s3PrefixListId`).
   * @default - the function runs outside a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * The subnets of the chunk screen, when `vpc` is given.
   * @default - the VPC's isolated subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The id of the region's S3 prefix list (e.g. `NetworkGuard.prefixListIdOf(ec2.GatewayVpcEndpointAwsService.S3)`), the
   * chunk screen's only egress destination. Required with `vpc`.
   * @default - none; required when `vpc` is given
   */
  readonly s3PrefixListId?: string;

  /**
   * Bucket for the intermediate bucket's server access logs.
   * @default - a new AccessLogsBucket
   */
  readonly accessLogs?: AccessLogsBucket;

  /**
   * Concurrent executions reserved for (and limiting) the chunk screen, 1 to 100.
   * @default 5
   */
  readonly screenReservedConcurrency?: number;

  /**
   * How long the chunk screen's log records (its audit records) are kept. Must be finite.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the vector bucket, the key, the intermediate bucket and the logs when they are removed from the
   * stack. The vectors are derived data, but the logs are audit evidence: the default keeps them all.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An Amazon Bedrock knowledge base over Amazon S3 Vectors that only screened content reaches.
 *
 * - **Vector store**: an S3 vector bucket and index (cosine, the model's dimension) encrypted with a customer-managed
 *   key; the bucket policy denies the vector data-plane actions to every principal but the knowledge-base role, and
 *   every request without TLS. Bedrock's text and metadata keys are non-filterable, so `tenant` stays filterable.
 * - **Knowledge base**: an allow-listed embedding model (default Titan Text Embeddings V2, 1024 dimensions). Its service
 *   role trusts Bedrock for this account's knowledge bases only and may invoke that one model, read the data bucket
 *   under `inclusionPrefix` (decrypting through S3), use this index, the intermediate bucket and the chunk screen, and
 *   the key directly for ingestion's transient data (the key policy admits its IAM path only).
 * - **Data source**: the data bucket under `inclusionPrefix`, fixed-size chunking, Bedrock's transient data encrypted
 *   with the key, and `dataDeletionPolicy: DELETE`, so removing a document removes its vectors at the next sync.
 * - **Chunk screen**: a POST_CHUNKING custom transformation (lambda/chunk-screen) that screens every chunk with
 *   `screenDocument()` and withholds suspicious ones from the index; each is audited (hash, source, signals) and
 *   counted, with an alarm to `alarmTopic`.
 *
 * @example
 * const kb = new SecureKnowledgeBase(this, 'KnowledgeBase', {
 *   dataBucket: ingestion.bucket,
 *   dataKey: ingestion.encryptionKey,
 *   alarmTopic: alerts.topic,
 * });
 * kb.grantRetrieve(gatewayRole);
 */
export class SecureKnowledgeBase extends Construct {
  /** The knowledge base's id. */
  public readonly knowledgeBaseId: string;
  /** The knowledge base's ARN. */
  public readonly knowledgeBaseArn: string;
  /** The data source's id. */
  public readonly dataSourceId: string;
  /** The key of the vectors, the intermediate bucket and the logs. */
  public readonly encryptionKey: kms.IKey;
  /** The vector bucket. */
  public readonly vectorBucket: s3vectors.CfnVectorBucket;
  /** The vector index. */
  public readonly vectorIndex: s3vectors.CfnIndex;
  /** The role Bedrock assumes for ingestion and retrieval. */
  public readonly role: iam.IRole;
  /** The chunk screen function. */
  public readonly chunkScreen: lambda.Function;
  /** The bucket where Bedrock and the chunk screen exchange content batches. */
  public readonly intermediateBucket: s3.Bucket;
  /** The alarm on chunks withheld by the chunk screen. */
  public readonly suspiciousChunksAlarm: cloudwatch.Alarm;
  /** The embedding model's foundation-model ARN. */
  public readonly embeddingModelArn: string;

  constructor(scope: Construct, id: string, props: SecureKnowledgeBaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const settings = validate(props);

    this.encryptionKey =
      props.encryptionKey ?? new SecureKey(this, 'Key', { description: `Encrypts the vectors, ingestion data and logs of ${this.node.path}`, removalPolicy }).key;
    const key = this.encryptionKey;

    // --- vector store ------------------------------------------------------------------------
    this.vectorBucket = new s3vectors.CfnVectorBucket(this, 'VectorBucket', {
      encryptionConfiguration: { sseType: 'aws:kms', kmsKeyArn: key.keyArn },
    });
    this.vectorBucket.applyRemovalPolicy(removalPolicy);
    this.vectorIndex = new s3vectors.CfnIndex(this, 'VectorIndex', {
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      dataType: 'float32',
      dimension: settings.dimensions,
      distanceMetric: 'cosine',
      metadataConfiguration: { nonFilterableMetadataKeys: [...BEDROCK_NON_FILTERABLE_METADATA_KEYS] },
    });
    this.vectorIndex.applyRemovalPolicy(removalPolicy);
    // S3 Vectors maintains indexes in the background as indexing.s3vectors.amazonaws.com, which must decrypt with the key
    // (Amazon S3 User Guide, "Data protection and encryption in S3 Vectors"). Scoped to this account's vector buckets: the
    // bucket's own ARN would make the key policy and the bucket depend on each other.
    const vectorBucketsOfAccount = stack.formatArn({ service: 's3vectors', resource: 'bucket', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const indexing = key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowS3VectorsIndexingForThisAccount',
        principals: [new iam.ServicePrincipal('indexing.s3vectors.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': vectorBucketsOfAccount },
          // Only for S3 Vectors data: its requests carry these encryption-context keys (same guide, key policy example).
          'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['aws:s3vectors:arn', 'aws:s3vectors:resource-id'] },
        },
      }),
      true,
    );
    if (!indexing.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeyS3VectorsIndexing',
        `The imported key ${key.node.path} must already let indexing.s3vectors.amazonaws.com use kms:Decrypt for this account's ` +
          'vector buckets (aws:SourceAccount, aws:SourceArn), or S3 Vectors cannot maintain the index.',
      );
    }

    // --- intermediate bucket ---------------------------------------------------------------------
    const accessLogs = props.accessLogs ?? new AccessLogsBucket(this, 'AccessLogs', { removalPolicy });
    this.intermediateBucket = new SecureBucket(this, 'IntermediateBucket', {
      encryptionKey: key,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'kb-intermediate/',
      // Batches are only needed for the ingestion job that wrote them.
      lifecycleRules: [
        { id: 'ExpireBatches', expiration: Duration.days(7), noncurrentVersionExpiration: Duration.days(1), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      eventBridgeEnabled: true,
      noReplicationReason:
        'The intermediate bucket holds only transient content batches of running ingestion jobs (expired after 7 days); ' +
        'the documents they come from live, versioned, in the document bucket, and a lost batch is rebuilt by the next sync.',
      noObjectLockReason:
        'The intermediate bucket holds copies of document chunks, withheld ones included, only while an ingestion job runs: ' +
        'Object Lock would keep them past the 7-day expiry. The evidence of what was withheld is the audit record, not the batch.',
      removalPolicy,
    });

    // --- chunk screen ------------------------------------------------------------------------------
    // Bedrock names its input batches per ingestion job; the screen writes only under screened/.
    const allBatches = this.intermediateBucket.arnForObjects('*');
    const screenedBatches = this.intermediateBucket.arnForObjects(`${SCREENED_PREFIX}*`);
    const screen = new SecureFunction(this, 'ChunkScreen', {
      bundle: 'chunk-screen',
      description: 'Knowledge-base custom transformation: withholds suspicious chunks (injection, credentials, hidden text) from the index',
      roleDescription: `Knowledge-base chunk screen ${this.node.path}: reads and writes content batches of its intermediate bucket`,
      logEncryptionKey: key,
      logRetention: props.logRetention,
      removalPolicy,
      policyStatements: [
        new iam.PolicyStatement({ sid: 'ReadContentBatches', actions: ['s3:GetObject'], resources: [allBatches] }),
        new iam.PolicyStatement({ sid: 'WriteScreenedBatches', actions: ['s3:PutObject'], resources: [screenedBatches] }),
      ],
      memorySize: 1024,
      timeout: Duration.minutes(5),
      reservedConcurrentExecutions: settings.reservedConcurrency,
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      securityGroupDescription: props.vpc ? 'Knowledge-base chunk screen: no inbound; outbound HTTPS to the S3 gateway endpoint only' : undefined,
      outsideVpcReason: props.vpc
        ? undefined
        : 'No VPC was given to this knowledge base: the chunk screen calls only S3 (its intermediate bucket, TLS-only, encrypted ' +
          'with the construct\'s key) and has no inbound path. Pass vpc and s3PrefixListId to run it in the VPC through the S3 gateway endpoint.',
      noDeadLetterQueueReason:
        'Bedrock invokes the chunk screen synchronously during an ingestion job (custom transformation) and records a failed ' +
        'invocation as a failed document in that job; a dead-letter queue receives only failed asynchronous invocations, so it would stay empty.',
      environment: {
        [CHUNK_SCREEN_ENV.metricsNamespace]: CHUNK_SCREEN_METRICS_NAMESPACE,
        [CHUNK_SCREEN_ENV.serviceName]: CHUNK_SCREEN_SERVICE_NAME,
      },
    });
    screen.securityGroup?.addEgressRule(ec2.Peer.prefixList(props.s3PrefixListId!), ec2.Port.tcp(443), 'S3 through the gateway endpoint');
    const screenRole = screen.executionRole;
    const batchKeysReason =
      'Bedrock chooses the object keys of the content batches of each ingestion job at run time; the wildcard covers only the ' +
      'objects of this construct\'s own intermediate bucket (KMS, TLS-only, 7-day expiry).';
    Validations.of(screenRole.policy).acknowledge(
      { id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, allBatches)}]`, reason: batchKeysReason },
      { id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, screenedBatches)}]`, reason: `${batchKeysReason} The screen writes only under ${SCREENED_PREFIX}.` },
    );
    SecureKey.grantViaServiceOn(key, screenRole, ['kms:Decrypt', 'kms:GenerateDataKey'], 's3');
    this.chunkScreen = screen;

    this.suspiciousChunksAlarm = new cloudwatch.Alarm(this, 'SuspiciousChunksAlarm', {
      alarmDescription: `The chunk screen of ${this.node.path} withheld chunks from the index (injection, credentials or hidden text): see its audit records`,
      metric: new cloudwatch.Metric({
        namespace: CHUNK_SCREEN_METRICS_NAMESPACE,
        metricName: SUSPICIOUS_CHUNKS_METRIC,
        dimensionsMap: { service: CHUNK_SCREEN_SERVICE_NAME },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.suspiciousChunksAlarm.addAlarmAction(new cw_actions.SnsAction(props.alarmTopic));

    // --- knowledge-base role -------------------------------------------------------------------------
    this.embeddingModelArn = stack.formatArn({
      service: 'bedrock',
      account: '',
      resource: 'foundation-model',
      resourceName: settings.modelId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    const knowledgeBasesOfAccount = stack.formatArn({ service: 'bedrock', resource: 'knowledge-base', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const kbRole = new ManagedPolicyRole(this, 'ServiceRole', {
      // Bedrock may assume the role only for knowledge bases of this account (confused-deputy protection).
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': knowledgeBasesOfAccount },
      }),
      description: `Knowledge base ${this.node.path}: one embedding model, the data bucket under ${settings.prefix}, one vector index`,
    });
    // On a path of its own: the key policy admits this path (see allowIngestionTransientData).
    (kbRole.role.node.defaultChild as iam.CfnRole).path = this.serviceRolePath;
    this.role = kbRole.role;
    kbRole.addToPolicy(new iam.PolicyStatement({ sid: 'InvokeEmbeddingModel', actions: ['bedrock:InvokeModel'], resources: [this.embeddingModelArn] }));
    kbRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ListIndexedDocuments',
        actions: ['s3:ListBucket'],
        resources: [props.dataBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${settings.prefix}*`] }, StringEquals: { 'aws:ResourceAccount': stack.account } },
      }),
    );
    kbRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ReadIndexedDocuments',
        actions: ['s3:GetObject'],
        resources: [props.dataBucket.arnForObjects(`${settings.prefix}*`)],
        conditions: { StringEquals: { 'aws:ResourceAccount': stack.account } },
      }),
    );
    SecureKey.grantViaServiceOn(props.dataKey, kbRole, ['kms:Decrypt'], 's3');
    kbRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'UseVectorIndex',
        actions: [...VECTOR_DATA_ACTIONS, 's3vectors:GetIndex'],
        resources: [this.vectorIndex.attrIndexArn],
      }),
    );
    SecureKey.grantViaServiceOn(key, kbRole, ['kms:Decrypt', 'kms:GenerateDataKey'], 's3vectors');
    kbRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ExchangeContentBatches',
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: [this.intermediateBucket.arnForObjects('*')],
      }),
    );
    Validations.of(kbRole.policy).acknowledge(
      { id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, allBatches)}]`, reason: batchKeysReason },
      {
        id: `AwsSolutions-IAM5[Resource::${nagFindingText(this, props.dataBucket.arnForObjects(`${settings.prefix}*`))}]`,
        reason:
          `The knowledge base indexes every document the document screen releases under ${settings.prefix}, whose keys exist only ` +
          'once uploaded; nothing outside that prefix (incoming, quarantine) is readable, and only objects of this account.',
      },
    );
    kbRole.addToPolicy(new iam.PolicyStatement({ sid: 'ListContentBatches', actions: ['s3:ListBucket'], resources: [this.intermediateBucket.bucketArn] }));
    SecureKey.grantViaServiceOn(key, kbRole, ['kms:Decrypt', 'kms:GenerateDataKey'], 's3');
    this.allowIngestionTransientData(key, kbRole);
    kbRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeChunkScreen',
        actions: ['lambda:InvokeFunction'],
        resources: [this.chunkScreen.functionArn],
      }),
    );

    // --- vector bucket policy: the knowledge-base role only, TLS only ----------------------------------
    const vectorBucketPolicy = new s3vectors.CfnVectorBucketPolicy(this, 'VectorBucketPolicy', {
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DenyVectorDataToOtherPrincipals',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: VECTOR_DATA_ACTIONS,
            Resource: [this.vectorBucket.attrVectorBucketArn, `${this.vectorBucket.attrVectorBucketArn}/index/*`],
            Condition: { ArnNotEquals: { 'aws:PrincipalArn': this.role.roleArn } },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3vectors:*',
            Resource: [this.vectorBucket.attrVectorBucketArn, `${this.vectorBucket.attrVectorBucketArn}/index/*`],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    });
    vectorBucketPolicy.applyRemovalPolicy(removalPolicy);

    // --- knowledge base and data source -----------------------------------------------------------------
    const knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'KnowledgeBase', {
      // Unique per construct path; Bedrock allows letters, digits and single '-' or '_' separators, up to 100 characters.
      name: Names.uniqueResourceName(this, { maxLength: 100, separator: '-' }),
      description: `Screened documents of ${props.dataBucket.node.path} under ${settings.prefix}`,
      roleArn: this.role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn: this.embeddingModelArn,
          ...(settings.modelId === DEFAULT_EMBEDDING_MODEL_ID
            ? { embeddingModelConfiguration: { bedrockEmbeddingModelConfiguration: { dimensions: settings.dimensions, embeddingDataType: 'FLOAT32' } } }
            : {}),
        },
      },
      storageConfiguration: {
        type: 'S3_VECTORS',
        s3VectorsConfiguration: { indexArn: this.vectorIndex.attrIndexArn },
      },
    });
    // Bedrock checks the role's permissions and the vector store when it creates the knowledge base.
    knowledgeBase.node.addDependency(kbRole.policy, vectorBucketPolicy);
    this.knowledgeBaseId = knowledgeBase.attrKnowledgeBaseId;
    this.knowledgeBaseArn = knowledgeBase.attrKnowledgeBaseArn;

    const dataSource = new bedrock.CfnDataSource(this, 'DataSource', {
      knowledgeBaseId: this.knowledgeBaseId,
      name: 'screened-documents',
      description: `Documents released by the document screen under ${settings.prefix}; chunks screened again before embedding`,
      // Removing a document from the bucket removes its vectors at the next sync.
      dataDeletionPolicy: 'DELETE',
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: { bucketArn: props.dataBucket.bucketArn, bucketOwnerAccountId: stack.account, inclusionPrefixes: [settings.prefix] },
      },
      serverSideEncryptionConfiguration: { kmsKeyArn: key.keyArn },
      vectorIngestionConfiguration: {
        chunkingConfiguration: {
          chunkingStrategy: 'FIXED_SIZE',
          fixedSizeChunkingConfiguration: { maxTokens: settings.maxTokens, overlapPercentage: settings.overlap },
        },
        customTransformationConfiguration: {
          intermediateStorage: { s3Location: { uri: `s3://${this.intermediateBucket.bucketName}/` } },
          transformations: [
            {
              stepToApply: 'POST_CHUNKING',
              transformationFunction: { transformationLambdaConfiguration: { lambdaArn: this.chunkScreen.functionArn } },
            },
          ],
        },
      },
    });
    dataSource.node.addDependency(kbRole.policy);
    this.dataSourceId = dataSource.attrDataSourceId;
  }

  /**
   * The IAM path of the service role, unique to this construct: `/secure-llm-knowledge-base/<unique id>/`. The key
   * policy names the path, not the role's ARN, which would make the key, the role and its policy depend on each other.
   */
  private get serviceRolePath(): string {
    return `/secure-llm-knowledge-base/${Names.uniqueId(this)}/`;
  }

  /**
   * Lets the service role use the key for the transient data of ingestion jobs (the data source's
   * `serverSideEncryptionConfiguration`). The Amazon Bedrock User Guide ("Encryption of knowledge base resources",
   * "Encryption of transient data storage during data ingestion") documents this as a permission of the service role
   * itself: `kms:GenerateDataKey` and `kms:Decrypt` on the key, with no `kms:ViaService` condition. So the role's
   * statement carries none, and the key policy admits these two actions for roles on this construct's path only
   * (`aws:PrincipalArn`), not merely through `bedrock.<region>.amazonaws.com`; Bedrock alone may assume the role, and
   * only for this account's knowledge bases.
   */
  private allowIngestionTransientData(key: kms.IKey, role: ManagedPolicyRole): void {
    const actions = ['kms:GenerateDataKey', 'kms:Decrypt'];
    role.addToPolicy(new iam.PolicyStatement({ sid: 'EncryptIngestionTransientData', actions, resources: [key.keyArn] }));
    const stack = Stack.of(this);
    const result = key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.AccountRootPrincipal()],
        actions,
        resources: ['*'],
        conditions: {
          ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${stack.account}:role${this.serviceRolePath}*` },
        },
      }),
      true,
    );
    if (!result.statementAdded) {
      Annotations.of(this).addWarningV2(
        'secure-llm-blueprint:importedKeyIngestionPolicy',
        `The imported key ${key.node.path} must let the knowledge-base role (path ${this.serviceRolePath}) call kms:GenerateDataKey and kms:Decrypt directly: ` +
          'Bedrock encrypts the transient data of ingestion jobs as that role. Its policy cannot be changed from this stack.',
      );
    }
    // Kept as before: the key policy admits this account's principals through Bedrock (as far as their own policies
    // allow), for any use of the key Bedrock makes on a caller's behalf, e.g. when CloudFormation creates the data source.
    SecureKey.allowUseThroughServiceOn(key, 'bedrock');
  }

  /**
   * Grants `bedrock:StartIngestionJob` and `bedrock:GetIngestionJob` on this knowledge base only: for whatever syncs the
   * data source after the document screen releases documents (e.g. the ingestion function).
   */
  public grantStartIngestion(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:StartIngestionJob', 'bedrock:GetIngestionJob'], resourceArns: [this.knowledgeBaseArn] });
  }

  /** Grants `bedrock:Retrieve` on this knowledge base only. */
  public grantRetrieve(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['bedrock:Retrieve'], resourceArns: [this.knowledgeBaseArn] });
  }
}

interface Settings {
  readonly modelId: string;
  readonly dimensions: number;
  readonly prefix: string;
  readonly maxTokens: number;
  readonly overlap: number;
  readonly reservedConcurrency: number;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Token.isUnresolved(value) && (!Number.isInteger(value) || value < min || value > max)) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
}

function validate(props: SecureKnowledgeBaseProps): Settings {
  const modelId = props.embeddingModelId ?? DEFAULT_EMBEDDING_MODEL_ID;
  const dims = KNOWLEDGE_BASE_EMBEDDING_MODELS[modelId];
  if (!dims) {
    throw new Error(
      `embeddingModelId must be one of ${Object.keys(KNOWLEDGE_BASE_EMBEDDING_MODELS).join(', ')}, got "${modelId}"; ` +
        'pick an allow-listed embedding model (or omit it for Amazon Titan Text Embeddings V2)',
    );
  }
  const dimensions = props.embeddingDimensions ?? 1024;
  if (!Token.isUnresolved(dimensions) && !dims.includes(dimensions)) {
    throw new Error(`embeddingDimensions must be one of ${dims.join(', ')} for ${modelId}, got ${dimensions}`);
  }
  const prefix = props.inclusionPrefix ?? 'indexed/';
  if (!Token.isUnresolved(prefix) && (!/^[A-Za-z0-9!_.*'()/-]{1,300}\/$/.test(prefix) || prefix.startsWith('/'))) {
    throw new Error(`inclusionPrefix must be a key prefix ending with "/" such as "indexed/", got "${prefix}"`);
  }
  const maxTokens = props.chunkMaxTokens ?? 300;
  checkRange('chunkMaxTokens', maxTokens, 20, 8192);
  const overlap = props.chunkOverlapPercentage ?? 20;
  checkRange('chunkOverlapPercentage', overlap, 1, 99);
  const reservedConcurrency = props.screenReservedConcurrency ?? 5;
  checkRange('screenReservedConcurrency', reservedConcurrency, 1, 100);
  if (props.vpc && props.s3PrefixListId === undefined) {
    throw new Error(
      's3PrefixListId must be given with vpc, got none: the chunk screen reaches S3 only through the gateway endpoint; pass ' +
        'NetworkGuard.prefixListIdOf(ec2.GatewayVpcEndpointAwsService.S3)',
    );
  }
  if (!props.vpc && props.s3PrefixListId !== undefined) {
    throw new Error(`s3PrefixListId is only used with vpc, got "${props.s3PrefixListId}" without a vpc; pass vpc too, or leave it out`);
  }
  return { modelId, dimensions, prefix, maxTokens, overlap, reservedConcurrency };
}
