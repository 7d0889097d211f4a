import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Duration, Fn, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as kms from 'aws-cdk-lib/aws-kms';
import { kmsGrantsWithoutViaService } from '../../helpers/key-policy';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  GatewayGroup,
  GatewayModel,
  InferenceGateway,
  InferenceGatewayProps,
  ModelGuardrail,
  ModelKind,
  PrescreenMode,
  PrivateNetwork,
  WEB_ACL_RULE_NAMES,
  bodyInspectionLimitFor,
} from '../../../constructs';
import { lambdaBundleDir } from '../../../constructs/shared/lambda-bundle';
import {
  DEFAULT_METRICS_NAMESPACE,
  GATEWAY_CONFIG_FILE_NAME,
  GATEWAY_ENV,
  GATEWAY_ROUTES,
  SERVICE_NAME,
  staticConfigSchema,
} from '../../../lambda/shared/gateway-contract';
import { formatFindings, newConstructTestApp, synthWithCompliance } from '../../helpers/compliance';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

const MODELS: GatewayModel[] = [
  { alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 4096 },
  {
    alias: 'haiku',
    modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
    inferenceProfileId: 'us.anthropic.claude-3-5-haiku-20241022-v1:0',
    inferenceProfileRegions: ['us-east-1', 'us-east-2', 'us-west-2'],
    maxOutputTokens: 2048,
  },
];
const GROUPS: GatewayGroup[] = [
  { name: 'users', models: ['nova-lite'], dailyTokenQuota: 200_000, maxOutputTokens: 2048 },
  { name: 'analysts', models: ['nova-lite', 'haiku'], dailyTokenQuota: 1_000_000, maxOutputTokens: 4096 },
];

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };
type Resources = Record<string, { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Built {
  readonly stack: Stack;
  readonly gateway: InferenceGateway;
  readonly guardrail: ModelGuardrail;
}

/** A stack in a fixed environment (readable ARNs), with the project's feature flags. */
function newStack(app: App = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] })): Stack {
  return new Stack(app, 'Test', { env: { account: ACCOUNT, region: REGION } });
}

function build(overrides: Partial<InferenceGatewayProps> = {}, stack: Stack = newStack()): Built {
  const network = new PrivateNetwork(stack, 'Network');
  const guardrail = new ModelGuardrail(stack, 'Guardrail');
  const gateway = new InferenceGateway(stack, 'Gateway', {
    network,
    guardrail,
    models: MODELS,
    groups: GROUPS,
    systemPrompt: 'You are a helpful assistant.',
    ...overrides,
  });
  return { stack, gateway, guardrail };
}

function asArray<T>(v: T | T[]): T[] {
  return Array.isArray(v) ? v : [v];
}

/** The statements of the gateway function's managed policy. */
function functionStatements(template: Template): Statement[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy') as Resources).filter((p) =>
    String(p.Properties.Description).startsWith('LLM gateway function'),
  );
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
}

const foundationModel = (region: string, id: string): string => `arn:aws:bedrock:${region}::foundation-model/${id}`;

/**
 * The API's routes as `METHOD /path` (below the stage), rebuilt from the synthesized resource tree: each
 * `AWS::ApiGateway::Resource` names its parent (the API's root or another resource) and its path part, each
 * `AWS::ApiGateway::Method` its resource.
 */
function synthesizedRoutes(resources: Resources): string[] {
  const pathOf = (parent: { Ref?: string; 'Fn::GetAtt'?: [string, string] }): string => {
    if (parent['Fn::GetAtt']?.[1] === 'RootResourceId') return '';
    const resource = parent.Ref === undefined ? undefined : resources[parent.Ref];
    if (resource?.Type !== 'AWS::ApiGateway::Resource') throw new Error(`unexpected parent ${JSON.stringify(parent)}`);
    return `${pathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  return Object.values(resources)
    .filter((r) => r.Type === 'AWS::ApiGateway::Method')
    .map((m) => `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId) || '/'}`);
}

describe('InferenceGateway', () => {
  describe('defaults', () => {
    let template: Template;
    let guardrailCondition: unknown;
    let guardrailArn: unknown;
    let resources: Resources;

    beforeAll(() => {
      // GIVEN a stack holding only the gateway and what it needs
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      const { stack, guardrail } = build({}, newStack(app));
      guardrailCondition = stack.resolve(guardrail.versionedArnForCondition);
      guardrailArn = stack.resolve(guardrail.guardrailArn);
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN (asserted in the first test)
      expect(formatFindings(findings)).toBe('');
      template = Template.fromJSON(assembly.getStackByName('Test').template);
      resources = template.toJSON().Resources as Resources;
    });

    test('passes all five cdk-nag packs and cfn-guard with zero unacknowledged findings', () => {
      expect(template).toBeDefined();
    });

    test('backs up the keys table and the usage table daily with AWS Backup, into a vault under a key of its own', () => {
      const tables = Object.keys(template.findResources('AWS::DynamoDB::Table')).sort();
      expect(tables).toHaveLength(2);
      const selections = Object.values(template.findResources('AWS::Backup::BackupSelection') as Resources);
      expect(selections).toHaveLength(1);
      const selected = (selections[0]!.Properties.BackupSelection.Resources as Array<{ 'Fn::GetAtt': [string, string] }>).map((r) => r['Fn::GetAtt'][0]);
      expect(selected.sort()).toEqual(tables);
      template.hasResourceProperties('AWS::Backup::BackupVault', { EncryptionKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayBackupKey'), 'Arn'] } });
    });

    test('every API method goes through the REQUEST authorizer, and there is no catch-all method or proxy resource', () => {
      const methods = Object.values(template.findResources('AWS::ApiGateway::Method') as Resources);
      expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'POST', 'POST']);
      for (const method of methods) {
        expect(method.Properties.AuthorizationType).toBe('CUSTOM');
        expect(method.Properties.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^GatewayAuthorizer/) });
        expect(method.Properties.RequestValidatorId).toEqual({ Ref: expect.stringMatching(/RequestValidator/) });
        expect(method.Properties.Integration).toMatchObject({
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [expect.stringMatching(/^GatewayFunction[0-9A-F]{8}$/), 'Arn'] }])] },
        });
      }
      const paths = Object.values(template.findResources('AWS::ApiGateway::Resource') as Resources).map((r) => r.Properties.PathPart);
      expect(paths.sort()).toEqual(['chat', 'completions', 'embeddings', 'models', 'v1', '{id}']);
      // The cache key is the Authorization header alone, and a decision lives at most 60 seconds.
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 60,
        AuthorizerUri: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayAccessAuthorizer'), 'Arn'] }])] },
      });
      template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    });

    test('every method streams the function\'s response (InvokeWithResponseStream, STREAM transfer mode)', () => {
      for (const method of Object.values(template.findResources('AWS::ApiGateway::Method') as Resources)) {
        const integration = method.Properties.Integration as { ResponseTransferMode?: string; Uri: { 'Fn::Join': [string, unknown[]] } };
        expect(integration.ResponseTransferMode).toBe('STREAM');
        const uri = integration.Uri['Fn::Join'][1].filter((p): p is string => typeof p === 'string').join('');
        expect(uri).toContain(':lambda:path/2021-11-15/functions/');
        expect(uri).toMatch(/\/response-streaming-invocations$/);
      }
    });

    test('chat completions may stream for the stream timeout (5 minutes); the other methods keep API Gateway\'s 29 seconds', () => {
      // GIVEN each method's route, rebuilt from the resource tree, and its integration timeout
      const methods = Object.values(resources).filter((r) => r.Type === 'AWS::ApiGateway::Method');
      const routes = synthesizedRoutes(resources);
      const timeouts = Object.fromEntries(methods.map((m, i) => [routes[i]!, (m.Properties.Integration as { TimeoutInMillis?: number }).TimeoutInMillis]));
      // THEN
      expect(timeouts).toEqual({
        'POST /v1/chat/completions': 300_000,
        'GET /v1/models': undefined,
        'GET /v1/models/{id}': undefined,
        'POST /v1/embeddings': undefined,
      });
    });

    test('the API serves exactly the routes of the gateway contract, no more and none missing', () => {
      // GIVEN the contract's route table, WHEN the synthesized resource tree is read back, THEN they are the same
      expect(synthesizedRoutes(resources).sort()).toEqual(GATEWAY_ROUTES.map((r) => `${r.method} ${r.path}`).sort());
    });

    test('a path parameter is required by the method that declares it', () => {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        ResourceId: { Ref: Match.stringLikeRegexp('^GatewayApiv1modelsid') },
        RequestParameters: { 'method.request.path.id': true },
      });
    });

    test('chat requests are validated against a schema requiring model and a bounded messages array', () => {
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
      template.hasResourceProperties('AWS::ApiGateway::Model', {
        ContentType: 'application/json',
        Schema: Match.objectLike({
          required: ['model', 'messages'],
          properties: Match.objectLike({ messages: Match.objectLike({ type: 'array', minItems: 1, maxItems: 50 }) }),
        }),
      });
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        RequestValidatorId: { Ref: Match.stringLikeRegexp('RequestValidator') },
        RequestModels: { 'application/json': Match.anyValue(), $default: Match.anyValue() },
      });
    });

    test('the stage traces, throttles, logs access as JSON and errors only, never bodies, and caches nothing', () => {
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage') as Resources)[0]!;
      expect(stage.Properties).toMatchObject({
        StageName: 'prod',
        TracingEnabled: true,
        CacheClusterEnabled: false,
        MethodSettings: [
          {
            HttpMethod: '*',
            ResourcePath: '/*',
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
            MetricsEnabled: true,
            ThrottlingRateLimit: 50,
            ThrottlingBurstLimit: 100,
          },
        ],
      });
      const format = JSON.parse(stage.Properties.AccessLogSetting.Format as string) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        principal: '$context.authorizer.principalId',
        callerKind: '$context.authorizer.kind',
        status: '$context.status',
      });
      expect(JSON.stringify(format)).not.toMatch(/body|requestOverride|responseOverride/i);
      // The execution log group exists (KMS, retention) before the stage can write to it.
      const [executionLogs] = Object.entries(resources).find(
        ([, r]) => r.Type === 'AWS::Logs::LogGroup' && JSON.stringify(r.Properties.LogGroupName ?? '').includes('API-Gateway-Execution-Logs_'),
      )!;
      expect(stage.DependsOn).toContain(executionLogs);
      // The account-level CloudWatch role is left alone unless asked for.
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
    });

    test('the regional endpoint negotiates TLS 1.2 or newer with forward-secret ciphers, in strict access mode', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        EndpointAccessMode: 'STRICT',
      });
    });

    test('the web ACL counts the core rule set\'s 8 KB body rule and blocks bodies over the limit, oversize included', () => {
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        Scope: 'REGIONAL',
        DefaultAction: { Allow: {} },
        AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_32' } } },
        Rules: [
          Match.objectLike({
            Priority: 0,
            Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesAmazonIpReputationList' } },
          }),
          Match.objectLike({
            Name: WEB_ACL_RULE_NAMES.rateLimitPerIp,
            Priority: 1,
            Action: { Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 429 }) }) },
            Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP', Limit: 1000 }) },
          }),
          Match.objectLike({
            Name: WEB_ACL_RULE_NAMES.rateLimitPerCaller,
            Priority: 2,
            Action: { Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 429 }) }) },
            Statement: {
              RateBasedStatement: {
                AggregateKeyType: 'CUSTOM_KEYS',
                CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
                Limit: 300,
                EvaluationWindowSec: 300,
              },
            },
          }),
          Match.objectLike({
            Name: WEB_ACL_RULE_NAMES.bodySize,
            Priority: 3,
            Action: { Block: Match.objectLike({ CustomResponse: Match.objectLike({ ResponseCode: 413 }) }) },
            Statement: {
              SizeConstraintStatement: {
                FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
                ComparisonOperator: 'GT',
                Size: 32_768,
                TextTransformations: [{ Priority: 0, Type: 'NONE' }],
              },
            },
          }),
          Match.objectLike({
            Name: WEB_ACL_RULE_NAMES.commonRuleSet,
            Priority: 4,
            OverrideAction: { None: {} },
            Statement: {
              ManagedRuleGroupStatement: {
                VendorName: 'AWS',
                Name: 'AWSManagedRulesCommonRuleSet',
                RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
              },
            },
          }),
          Match.objectLike({
            Priority: 5,
            Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          }),
        ],
        VisibilityConfig: Match.objectLike({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true }),
      });
    });

    test('the web ACL is associated with the stage and logs to a KMS aws-waf-logs-* group with the authorization header redacted', () => {
      const stageId = Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0]!;
      const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation') as Resources)[0]!;
      expect(JSON.stringify(association.Properties.ResourceArn)).toContain(`{"Ref":"${stageId}"}`);
      const logging = Object.values(template.findResources('AWS::WAFv2::LoggingConfiguration') as Resources)[0]!;
      expect(logging.Properties.RedactedFields).toEqual([{ SingleHeader: { Name: 'authorization' } }]);
      const destination = JSON.stringify(logging.Properties.LogDestinationConfigs);
      expect(destination).toMatch(/:log-group:aws-waf-logs-[^:"]+"/);
      const wafLogs = Object.values(resources).find(
        (r) => r.Type === 'AWS::Logs::LogGroup' && String(r.Properties.LogGroupName ?? '').startsWith('aws-waf-logs-'),
      )!;
      expect(wafLogs.Properties.KmsKeyId).toBeDefined();
      expect(destination).toContain(wafLogs.Properties.LogGroupName as string);
      // The delivery service may write to this group only, for this account's delivery sources.
      const policy = JSON.stringify(Object.values(template.findResources('AWS::Logs::ResourcePolicy') as Resources)[0]!.Properties);
      expect(policy).toContain('delivery.logs.amazonaws.com');
      expect(policy).toContain(`log-group:${wafLogs.Properties.LogGroupName as string}:log-stream:*`);
      expect(policy).toContain('aws:SourceAccount');
    });

    test('the function runs the current Node.js runtime on arm64 in the isolated subnets, traced, capped and with JSON logs', () => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        // The stream timeout: a non-streamed answer stops at 29 seconds in the handler (answerTimeoutMs).
        Timeout: 300,
        MemorySize: 1024,
        ReservedConcurrentExecutions: 20,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^GatewayFunctionLogs') } },
        VpcConfig: {
          SubnetIds: [{ Ref: Match.stringLikeRegexp('IsolatedSubnet1') }, { Ref: Match.stringLikeRegexp('IsolatedSubnet2') }],
          SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionSecurityGroup'), 'GroupId'] }],
        },
        Environment: {
          Variables: {
            [GATEWAY_ENV.guardrailId]: guardrailArn,
            [GATEWAY_ENV.guardrailVersion]: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GuardrailVersion'), 'Version'] },
            [GATEWAY_ENV.quotaTableName]: { Ref: Match.stringLikeRegexp('^GatewayUsageTable') },
            [GATEWAY_ENV.staticConfigFile]: GATEWAY_CONFIG_FILE_NAME,
            [GATEWAY_ENV.serviceName]: SERVICE_NAME,
            [GATEWAY_ENV.metricsNamespace]: DEFAULT_METRICS_NAMESPACE,
          },
        },
      });
      // Exactly the variables the contract names: a renamed one would leave the function misconfigured.
      const functions = Object.values(template.findResources('AWS::Lambda::Function') as Resources).filter((f) =>
        String(f.Properties.Description).startsWith('OpenAI-compatible gateway'),
      );
      expect(functions).toHaveLength(1);
      // (KNOWLEDGE_BASE_IDS only when an alias is bound to a knowledge base: see 'retrieval'.)
      expect(Object.keys(functions[0]!.Properties.Environment.Variables).sort()).toEqual(
        Object.values(GATEWAY_ENV).filter((v) => v !== GATEWAY_ENV.knowledgeBases).sort(),
      );
    });

    test('the function\'s security group admits nothing and sends HTTPS only', () => {
      const sg = Object.entries(resources).find(
        ([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('GatewayFunctionSecurityGroup'),
      )![1];
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      const ingress = Object.values(resources).filter(
        (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.GroupId).includes('GatewayFunctionSecurityGroup'),
      );
      expect(ingress).toEqual([]);
      const egress = [
        ...((sg.Properties.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>),
        ...Object.values(resources)
          .filter((r) => r.Type === 'AWS::EC2::SecurityGroupEgress' && JSON.stringify(r.Properties.GroupId).includes('GatewayFunctionSecurityGroup'))
          .map((r) => r.Properties),
      ];
      expect(egress.length).toBeGreaterThanOrEqual(2);
      for (const rule of egress) {
        expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 });
        // To an endpoint's security group or a gateway endpoint's prefix list, never an address range.
        expect(rule.CidrIp ?? rule.CidrIpv6).toBeUndefined();
        expect(rule.DestinationSecurityGroupId ?? rule.DestinationPrefixListId).toBeDefined();
      }
    });

    test('the role allows InvokeModel only on the allow-listed model and profile ARNs, and only with the guardrail version', () => {
      const allow = functionStatements(template).find((s) => s.Sid === 'InvokeAllowListedModelsWithGuardrail')!;
      expect(allow.Effect).toBe('Allow');
      expect(allow.Action).toBe('bedrock:InvokeModel');
      expect(asArray(allow.Resource).sort()).toEqual(
        [
          foundationModel(REGION, 'amazon.nova-lite-v1:0'),
          `arn:aws:bedrock:${REGION}:${ACCOUNT}:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0`,
          // The profile routes to three regions: the model must be allowed in each.
          foundationModel('us-east-1', 'anthropic.claude-3-5-haiku-20241022-v1:0'),
          foundationModel('us-east-2', 'anthropic.claude-3-5-haiku-20241022-v1:0'),
          foundationModel('us-west-2', 'anthropic.claude-3-5-haiku-20241022-v1:0'),
        ].sort(),
      );
      expect(allow.Condition).toEqual({ StringEquals: { 'bedrock:GuardrailIdentifier': guardrailCondition } });
      // <guardrail ARN>:<numeric version>, never DRAFT.
      expect(JSON.stringify(guardrailCondition)).toMatch(/GuardrailArn.*":".*GuardrailVersion[^"]*","Version"/);
    });

    test('the role is explicitly denied every model call that does not carry the guardrail', () => {
      const deny = functionStatements(template).find((s) => s.Effect === 'Deny')!;
      expect(deny).toEqual({
        Sid: 'DenyModelCallsWithoutGuardrail',
        Effect: 'Deny',
        Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        Resource: '*',
        Condition: { StringNotEquals: { 'bedrock:GuardrailIdentifier': guardrailCondition } },
      });
    });

    test('no IAM policy of the stack allows a bedrock wildcard action or a bedrock action on a wildcard resource, and none is inline', () => {
      template.resourceCountIs('AWS::IAM::Policy', 0);
      const documents = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy' || r.Type === 'AWS::IAM::Role')
        .flatMap((r) => [r.Properties.PolicyDocument, ...((r.Properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []).map((p) => p.PolicyDocument)])
        .filter(Boolean) as Array<{ Statement: Statement[] }>;
      const bedrockAllows = documents
        .flatMap((d) => d.Statement)
        .filter((s) => s.Effect === 'Allow' && asArray(s.Action).some((a) => a.startsWith('bedrock:')));
      expect(bedrockAllows.length).toBeGreaterThanOrEqual(2);
      for (const s of bedrockAllows) {
        for (const action of asArray(s.Action)) {
          expect(action).not.toContain('*');
        }
        for (const resource of asArray(s.Resource)) {
          expect(JSON.stringify(resource)).not.toContain('*');
        }
      }
      const apply = bedrockAllows.find((s) => asArray(s.Action).includes('bedrock:ApplyGuardrail'))!;
      expect(apply.Resource).toEqual(guardrailArn);
    });

    test('the role may only read and update usage counters, and use the table key through DynamoDB', () => {
      const statements = functionStatements(template);
      expect(statements.find((s) => s.Sid === 'UpdateUsageCounters')).toEqual({
        Sid: 'UpdateUsageCounters',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayUsageTable/), 'Arn'] },
      });
      expect(statements.find((s) => s.Sid === 'UsageTableKeyThroughDynamoDb')!.Condition).toEqual({
        StringEquals: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com` },
      });
      expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('dynamodb:')).sort()).toEqual([
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
      ]);
    });

    test('the Bedrock Runtime endpoint admits only the function role, its two actions, the allow-listed models and the guardrail', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.${REGION}.bedrock-runtime`,
        PrivateDnsEnabled: true,
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AllowNamedActionsOnly',
              Effect: 'Allow',
              Action: ['bedrock:ApplyGuardrail', 'bedrock:InvokeModel'],
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionRole'), 'Arn'] } },
              Resource: Match.anyValue(),
            },
          ],
          Version: '2012-10-17',
        },
      });
      const bedrock = Object.values(template.findResources('AWS::EC2::VPCEndpoint') as Resources).find(
        (e) => e.Properties.VpcEndpointType === 'Interface',
      )!;
      const allowed = functionStatements(template).find((s) => s.Sid === 'InvokeAllowListedModelsWithGuardrail')!.Resource as string[];
      expect(bedrock.Properties.PolicyDocument.Statement[0].Resource).toEqual(expect.arrayContaining([...allowed, guardrailArn]));
      expect(bedrock.Properties.PolicyDocument.Statement[0].Resource).toHaveLength(allowed.length + 1);
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        VpcEndpointType: 'Gateway',
        ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.dynamodb']] },
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayUsageTable'), 'Arn'] },
              Condition: { ArnEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionRole'), 'Arn'] }] } },
            }),
          ],
        },
      });
    });

    test('the usage table is keyed and expires as the quota code expects, on-demand, KMS-encrypted, recoverable and protected', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: {
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          DeletionProtectionEnabled: true,
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    test('the new user pool is invitation-only with TOTP MFA required, a strong password policy and threat protection', () => {
      template.hasResource('AWS::Cognito::UserPool', {
        Properties: Match.objectLike({
          AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
          MfaConfiguration: 'ON',
          EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
          Policies: {
            PasswordPolicy: Match.objectLike({
              MinimumLength: 14,
              RequireLowercase: true,
              RequireUppercase: true,
              RequireNumbers: true,
              RequireSymbols: true,
            }),
          },
          UserPoolTier: 'PLUS',
          UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
          DeletionProtection: 'ACTIVE',
        }),
        DeletionPolicy: 'Retain',
      });
      const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup') as Resources).map((g) => g.Properties.GroupName);
      expect(groups.sort()).toEqual(['analysts', 'users']);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        GenerateSecret: false,
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: ['openid', 'llm-gateway/chat', 'llm-gateway/models.read', 'llm-gateway/embeddings'],
        CallbackURLs: ['http://localhost:8400/callback'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
        Identifier: 'llm-gateway',
        Scopes: [Match.objectLike({ ScopeName: 'chat' }), Match.objectLike({ ScopeName: 'models.read' }), Match.objectLike({ ScopeName: 'embeddings' })],
      });
      template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
    });

    test('people have a custom:team attribute that the gateway\'s app client may not write (only administrators set it)', () => {
      template.hasResourceProperties('AWS::Cognito::UserPool', {
        Schema: Match.arrayWith([
          Match.objectLike({ Name: 'team', AttributeDataType: 'String', Mutable: true, StringAttributeConstraints: { MinLength: '1', MaxLength: '128' } }),
        ]),
      });
      // Without WriteAttributes Cognito lets the client write every attribute.
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', { AllowedOAuthFlows: ['code'], WriteAttributes: ['email'] });
      const clients = Object.values(template.findResources('AWS::Cognito::UserPoolClient') as Resources);
      for (const c of clients) expect(JSON.stringify(c.Properties.WriteAttributes ?? null)).not.toContain('team');
    });
  });

  describe('encryption', () => {
    test('the table and every log group use the given key, are retained and keep records a year', () => {
      // GIVEN
      const stack = newStack();
      const key = new kms.Key(stack, 'GivenKey', { enableKeyRotation: true });
      // WHEN
      build({ encryptionKey: key }, stack);
      // THEN
      const template = Template.fromStack(stack);
      const keyArn = stack.resolve(key.keyArn);
      const groups = Object.entries(template.findResources('AWS::Logs::LogGroup') as Resources).filter(([id]) => id.startsWith('Gateway'));
      // access, execution, function, authorizer and WAF logs
      expect(groups).toHaveLength(5);
      for (const [id, group] of groups) {
        expect({ id, key: group.Properties.KmsKeyId, days: group.Properties.RetentionInDays, policy: group.DeletionPolicy }).toEqual({
          id,
          key: keyArn,
          days: 365,
          policy: 'Retain',
        });
      }
      // usage and keys tables
      const tables = Object.values(template.findResources('AWS::DynamoDB::Table') as Resources);
      expect(tables).toHaveLength(2);
      for (const table of tables) expect(table.Properties.SSESpecification).toMatchObject({ KMSMasterKeyId: keyArn });
      // No encryption key of the gateway's own: the given one replaces it; the keys' HMAC key cannot encrypt.
      const ownKeys = Object.entries(template.findResources('AWS::KMS::Key') as Resources).filter(([id]) => id.startsWith('Gateway'));
      expect(ownKeys.map(([, k]) => k.Properties.KeySpec)).toEqual(['HMAC_256']);
    });

    test('auditLogEncryptionKey takes the access, execution and WAF logs; the function and authorizer logs and the tables stay on encryptionKey', () => {
      // GIVEN
      const stack = newStack();
      const key = new kms.Key(stack, 'GivenKey', { enableKeyRotation: true });
      const auditKey = new kms.Key(stack, 'AuditKey', { enableKeyRotation: true });
      // WHEN
      build({ encryptionKey: key, auditLogEncryptionKey: auditKey }, stack);
      // THEN
      const template = Template.fromStack(stack);
      const keyOf = Object.fromEntries(
        Object.entries(template.findResources('AWS::Logs::LogGroup') as Resources)
          .filter(([id]) => id.startsWith('Gateway'))
          .map(([id, group]) => [id.replace(/[0-9A-F]{8}$/, ''), (group.Properties.KmsKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]]),
      );
      expect(keyOf).toEqual({
        GatewayFunctionLogs: stack.getLogicalId(key.node.defaultChild as kms.CfnKey),
        GatewayAccessAuthorizerLogs: stack.getLogicalId(key.node.defaultChild as kms.CfnKey),
        GatewayAccessLogs: stack.getLogicalId(auditKey.node.defaultChild as kms.CfnKey),
        GatewayExecutionLogs: stack.getLogicalId(auditKey.node.defaultChild as kms.CfnKey),
        GatewayFirewallLogs: stack.getLogicalId(auditKey.node.defaultChild as kms.CfnKey),
      });
      template.hasResourceProperties('AWS::DynamoDB::Table', { SSESpecification: Match.objectLike({ KMSMasterKeyId: stack.resolve(key.keyArn) }) });
    });

    test('the function uses keys only through DynamoDB and Bedrock (kms:ViaService)', () => {
      const { stack } = build();
      expect(kmsGrantsWithoutViaService(Template.fromStack(stack))).toEqual([]);
    });
  });

  describe('bundling', () => {
    function assetDirOf(stack: Stack, gateway: InferenceGateway, assemblyDir: string): string {
      const code = stack.resolve((gateway.function.node.defaultChild as unknown as { code: { s3Key: string } }).code.s3Key) as string;
      return path.join(assemblyDir, `asset.${code.replace(/\.zip$/, '')}`);
    }

    test('deploys the pre-built bundle byte for byte, every file of it, with the validated static configuration beside it', () => {
      // GIVEN a system prompt with quotes, a dollar sign, backticks, a backslash and a new line
      const app = newConstructTestApp();
      const prompt = 'Say "hi" to $USER with `code`\\n and a real\nnew line: canary-7f3a9c';
      // WHEN
      const { stack, gateway } = build({ systemPrompt: prompt, toolAllowedHosts: { post_webhook: ['hooks.example.com'] } }, newStack(app));
      const assembly = app.synth();
      // THEN the asset is the package's bundle unchanged (index.js and the modules it loads on first use) plus the
      // configuration file, nothing else
      const assetDir = assetDirOf(stack, gateway, assembly.directory);
      const bundleFiles = fs.readdirSync(lambdaBundleDir('gateway')).sort();
      expect(bundleFiles).toEqual(['agent-runtime-sdk.js', 'document-screen.js', 'dynamodb-sdk.js', 'index.js']);
      expect(fs.readdirSync(assetDir).sort()).toEqual([...bundleFiles, GATEWAY_CONFIG_FILE_NAME].sort());
      for (const file of bundleFiles) {
        expect(fs.readFileSync(path.join(assetDir, file)).equals(fs.readFileSync(path.join(lambdaBundleDir('gateway'), file)))).toBe(true);
      }
      // The configuration file holds the prompt exactly and passes the function's own schema.
      const config = staticConfigSchema().parse(JSON.parse(fs.readFileSync(path.join(assetDir, GATEWAY_CONFIG_FILE_NAME), 'utf8')));
      expect(config.systemPrompt).toBe(prompt);
      expect(config.output.toolAllowedHosts).toEqual({ post_webhook: ['hooks.example.com'] });
      expect(Object.values(config.models).map((m) => m.modelId)).toEqual(['amazon.nova-lite-v1:0', 'us.anthropic.claude-3-5-haiku-20241022-v1:0']);
      // Capabilities from the catalogue: Nova Lite sees images and can be forced to a tool; Claude 3.5 Haiku only the latter.
      expect(Object.values(config.models).map((m) => [m.forcedToolChoice, m.imageInput])).toEqual([[true, true], [true, undefined]]);
      expect(config.limits).toMatchObject({ maxImageBytes: 3_750_000, maxImages: 0 });
      // A non-streamed answer keeps API Gateway's 29 seconds though the function may run for a stream's 5 minutes.
      expect(config).toMatchObject({ answerTimeoutMs: 29_000, bedrockTimeoutMs: 27_000 });
      // The function's environment names the file and carries the SHA-256 of its exact text, which the function checks
      // instead of validating the file again.
      const text = fs.readFileSync(path.join(assetDir, GATEWAY_CONFIG_FILE_NAME), 'utf8');
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Handler: 'index.handler',
        Environment: { Variables: Match.objectLike({ GATEWAY_CONFIG_FILE: GATEWAY_CONFIG_FILE_NAME, GATEWAY_CONFIG_SHA256: createHash('sha256').update(text).digest('hex') }) },
      });
    });

    test('the static configuration carries prices (listed defaults or given), budgets in micro-dollars and the alert fraction', () => {
      // GIVEN a listed model without a price, one with its own, a group and a team with budgets
      const app = newConstructTestApp();
      const { stack, gateway } = build(
        {
          models: [MODELS[0]!, { ...MODELS[1]!, inputUsdPerMillionTokens: 0.8, outputUsdPerMillionTokens: 4.000001 }],
          groups: [{ ...GROUPS[0]!, dailyBudgetUsd: 2.5, monthlyBudgetUsd: 40 }],
          teams: [{ name: 'research', monthlyBudgetUsd: 1000 }],
          budgetAlertFraction: 0.9,
        },
        newStack(app),
      );
      // WHEN
      const assembly = app.synth();
      // THEN
      const config = staticConfigSchema().parse(JSON.parse(fs.readFileSync(path.join(assetDirOf(stack, gateway, assembly.directory), GATEWAY_CONFIG_FILE_NAME), 'utf8')));
      expect(Object.values(config.models).map((m) => m.price)).toEqual([
        { inputMicroUsdPerMillionTokens: 60_000, outputMicroUsdPerMillionTokens: 240_000 },
        { inputMicroUsdPerMillionTokens: 800_000, outputMicroUsdPerMillionTokens: 4_000_001 },
      ]);
      expect(config.groups[GROUPS[0]!.name]).toMatchObject({ dailyBudgetMicroUsd: 2_500_000, monthlyBudgetMicroUsd: 40_000_000 });
      expect(config.teams).toEqual({ research: { monthlyBudgetMicroUsd: 1_000_000_000 } });
      expect(config.budgetAlertFraction).toBe(0.9);
    });

    test('two gateways with different configurations in one app never share a code asset', () => {
      // GIVEN two gateways that differ only in their system prompt (CDK caches staged assets per process)
      const app = newConstructTestApp();
      const first = build({ systemPrompt: 'first prompt' }, newStack(app));
      const second = build({ systemPrompt: 'second prompt' }, new Stack(app, 'Second', { env: { account: '123456789012', region: REGION } }));
      // WHEN
      const assembly = app.synth();
      // THEN each asset carries its own configuration
      const prompts = [first, second].map(({ stack, gateway }) => {
        const file = path.join(assetDirOf(stack, gateway, assembly.directory), GATEWAY_CONFIG_FILE_NAME);
        return (JSON.parse(fs.readFileSync(file, 'utf8')) as { systemPrompt: string }).systemPrompt;
      });
      expect(prompts).toEqual(['first prompt', 'second prompt']);
    });
  });

  describe('options', () => {
    test('an inference-profile alias is called by profile id, a direct one by model id', () => {
      // The static configuration is validated at synthesis; here we check the allow-list of each kind.
      const { stack } = build({
        models: [{ alias: 'only-direct', modelId: 'amazon.nova-pro-v1:0', maxOutputTokens: 1000 }],
        groups: [{ name: 'users', models: ['only-direct'], dailyTokenQuota: 10, maxOutputTokens: 10 }],
      });
      const allow = functionStatements(Template.fromStack(stack)).find((s) => s.Sid === 'InvokeAllowListedModelsWithGuardrail')!;
      expect(allow.Resource).toEqual(foundationModel(REGION, 'amazon.nova-pro-v1:0'));
    });

    test('without backup there is no backup plan, and each table acknowledges DynamoDBInBackupPlan with that reason', () => {
      const { stack, gateway } = build({ backupEnabled: false });
      expect(gateway.backup).toBeUndefined();
      expect(Template.fromStack(stack).findResources('AWS::Backup::BackupPlan')).toEqual({});
      for (const table of [gateway.keysTable, gateway.table!]) {
        const acknowledged = table.node.defaultChild!.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
        expect(Object.keys(Object.assign({}, ...acknowledged.map((m) => m.data)))).toEqual([
          'Annotation::NIST.800.53.R5-DynamoDBInBackupPlan',
          'Annotation::HIPAA.Security-DynamoDBInBackupPlan',
        ]);
        expect(JSON.stringify(acknowledged)).toContain('backupEnabled: false');
      }
    });

    test('backs up only the keys table without quotas', () => {
      const { stack, gateway } = build({ quotasEnabled: false });
      const selection = Object.values(Template.fromStack(stack).findResources('AWS::Backup::BackupSelection') as Resources)[0]!;
      expect(selection.Properties.BackupSelection.Resources).toEqual([stack.resolve(gateway.keysTable.tableArn)]);
    });

    test('without quotas there is no usage table, no DynamoDB endpoint, no DynamoDB permission and no egress beyond the Bedrock endpoint', () => {
      const { stack } = build({ quotasEnabled: false });
      const template = Template.fromStack(stack);
      // Only the keys table, which the authorizer (outside the VPC) reads.
      expect(Object.values(template.findResources('AWS::DynamoDB::Table') as Resources).map((t) => t.Properties.KeySchema)).toEqual([
        [{ AttributeName: 'keyId', KeyType: 'HASH' }],
      ]);
      expect(Object.values(template.findResources('AWS::EC2::VPCEndpoint') as Resources).map((e) => e.Properties.VpcEndpointType)).toEqual([
        'Interface',
      ]);
      expect(JSON.stringify(functionStatements(template))).not.toContain('dynamodb');
      const fn = Object.values(template.findResources('AWS::Lambda::Function') as Resources).find((f) => f.Properties.Environment?.Variables?.GUARDRAIL_ID)!;
      expect(fn.Properties.Environment.Variables.QUOTA_TABLE_NAME).toBeUndefined();
      expect(JSON.stringify(template.toJSON())).not.toContain('0.0.0.0/0');
      expect(template.toJSON().Parameters?.NetworkDynamoDbPrefixListId).toBeUndefined();
    });

    test('the function sends HTTPS only to the Bedrock endpoint\'s security group and the DynamoDB prefix list the network guard resolves', () => {
      const { stack } = build();
      const template = Template.fromStack(stack);
      const fnSg = { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionSecurityGroup'), 'GroupId'] };
      const egress = Object.values(template.findResources('AWS::EC2::SecurityGroupEgress', { Properties: { GroupId: fnSg } }) as Resources);
      expect(egress.map((e) => [e.Properties.IpProtocol, e.Properties.FromPort, e.Properties.ToPort])).toEqual([
        ['tcp', 443, 443],
        ['tcp', 443, 443],
      ]);
      expect(egress.map((e) => Object.keys(e.Properties).find((k) => k.startsWith('Destination'))).sort()).toEqual([
        'DestinationPrefixListId',
        'DestinationSecurityGroupId',
      ]);
      expect(egress.find((e) => e.Properties.DestinationPrefixListId)!.Properties.DestinationPrefixListId).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^NetworkGuard[0-9A-F]{8}$/), 'DynamoDbPrefixListId'],
      });
      expect(template.toJSON().Parameters?.NetworkDynamoDbPrefixListId).toBeUndefined();
      expect(JSON.stringify(template.toJSON())).not.toContain('0.0.0.0/0');
    });

    test('a DynamoDB prefix list given to the network replaces the deploy-time parameter', () => {
      const stack = newStack();
      const network = new PrivateNetwork(stack, 'Network', { dynamoDbPrefixListId: 'pl-02cd2c6b' });
      new InferenceGateway(stack, 'Gateway', {
        network,
        guardrail: new ModelGuardrail(stack, 'Guardrail'),
        models: MODELS,
        groups: GROUPS,
        systemPrompt: 'You are a helpful assistant.',
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', {
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionSecurityGroup'), 'GroupId'] },
        DestinationPrefixListId: 'pl-02cd2c6b',
        IpProtocol: 'tcp',
        FromPort: 443,
        ToPort: 443,
      });
      expect(Object.keys(template.toJSON().Parameters ?? {}).filter((p) => p.includes('PrefixList'))).toEqual([]);
    });

    test('an existing user pool gets an app client but no groups, and the authorizer trusts it', () => {
      // GIVEN
      const stack = newStack();
      const pool = cognito.UserPool.fromUserPoolId(stack, 'OrgPool', 'us-east-1_AbCdEfGhI');
      // WHEN
      build({ userPool: pool }, stack);
      // THEN
      const template = Template.fromStack(stack);
      template.resourceCountIs('AWS::Cognito::UserPool', 0);
      template.resourceCountIs('AWS::Cognito::UserPoolGroup', 0);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', { UserPoolId: 'us-east-1_AbCdEfGhI' });
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ USER_POOL_ID: 'us-east-1_AbCdEfGhI' }) },
      });
      // The pool's owner runs its sign-in domain unless one is asked for.
      template.resourceCountIs('AWS::Cognito::UserPoolDomain', 0);
    });

    test('machine clients get a confidential client-credentials app client each, and the authorizer their groups and team', () => {
      const { stack } = build({ machineClients: [{ name: 'batch-jobs', groups: ['analysts'], team: 'data' }], signInDomainPrefix: 'acme-llm' });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
        ClientName: 'batch-jobs',
        GenerateSecret: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: ['llm-gateway/chat', 'llm-gateway/models.read', 'llm-gateway/embeddings'],
      });
      template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-llm' });
      const authorizer = Object.values(template.findResources('AWS::Lambda::Function') as Resources).find((f) => f.Properties.Environment?.Variables?.MACHINE_CLIENTS)!;
      const json = stack.resolve(authorizer.Properties.Environment.Variables.MACHINE_CLIENTS) as { 'Fn::Join': [string, unknown[]] };
      expect(json['Fn::Join'][1]).toEqual(['{"', { Ref: expect.stringMatching(/^GatewayMachineClientbatchjobs/) }, '":{"groups":["analysts"],"team":"data"}}']);
    });
  });

  describe('access', () => {
    let template: Template;
    beforeAll(() => {
      template = Template.fromStack(build().stack);
    });

    function authorizerStatements(): Statement[] {
      const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy') as Resources).filter((p) =>
        String(p.Properties.Description).startsWith('LLM gateway authorizer'),
      );
      expect(policies).toHaveLength(1);
      return policies[0]!.Properties.PolicyDocument.Statement as Statement[];
    }

    test('the authorizer may read keys, make their MACs and read users of its pool, and nothing else of the gateway', () => {
      const bySid = Object.fromEntries(authorizerStatements().filter((st) => st.Sid).map((st) => [st.Sid, st]));
      expect(bySid.CheckUsers).toEqual({ Sid: 'CheckUsers', Effect: 'Allow', Action: 'cognito-idp:AdminGetUser', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayUserPool/), 'Arn'] } });
      expect(JSON.stringify(authorizerStatements())).not.toMatch(/cognito-idp:(?!AdminGetUser")/);
      expect(bySid.ReadKeys).toMatchObject({ Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayAccessKeysTable/), 'Arn'] } });
      expect(bySid.MakeKeyMacs).toMatchObject({ Action: 'kms:GenerateMac', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^GatewayAccessMacKey/), 'Arn'] } });
      expect(bySid.KeysTableKeyThroughDynamoDb).toMatchObject({ Action: ['kms:Decrypt', 'kms:DescribeKey'] });
      expect(JSON.stringify(authorizerStatements())).not.toMatch(/bedrock|UsageTable|PutItem|UpdateItem/);
    });

    test('the keys table is encrypted, recoverable and retained; the HMAC key is an HMAC_256 MAC key, retained', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          KeySchema: [{ AttributeName: 'keyId', KeyType: 'HASH' }],
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
          SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
        }),
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }), DeletionPolicy: 'Retain' });
    });

    test('the keys admin policy allows the CLI\'s table actions and MACs, on this table and key only', () => {
      const admin = Object.values(template.findResources('AWS::IAM::ManagedPolicy') as Resources).find((p) =>
        String(p.Properties.Description).startsWith('Administer the gateway API keys'),
      )!;
      const statements = admin.Properties.PolicyDocument.Statement as Statement[];
      expect(statements.map((st) => st.Sid)).toEqual(['ManageKeys', 'KeysTableKeyThroughDynamoDb', 'MakeKeyMacs']);
      expect(JSON.stringify(statements)).not.toContain('"*"');
    });

    test('the authorizer runs outside the VPC, and 401/403 answer in the OpenAI error shape', () => {
      const authorizer = Object.values(template.findResources('AWS::Lambda::Function') as Resources).find((f) => f.Properties.Environment?.Variables?.KEYS_TABLE_NAME)!;
      expect(authorizer.Properties.VpcConfig).toBeUndefined();
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'UNAUTHORIZED',
        StatusCode: '401',
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"type":"authentication_error","code":"invalid_api_key"') },
      });
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'ACCESS_DENIED',
        StatusCode: '403',
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"type":"permission_error"') },
      });
    });
  });

  describe('options', () => {

    test('limits and settings reach the web ACL, the stage, the schema and the function', () => {
      const { stack } = build({
        maxBodyBytes: 40_000,
        maxMessages: 7,
        throttlingRateLimit: 5,
        throttlingBurstLimit: 9,
        wafRateLimitPerIp: 300,
        wafRateLimitPerCaller: 120,
        reservedConcurrency: 3,
        timeout: Duration.seconds(12),
        streamTimeout: Duration.minutes(15),
        memorySize: 512,
        prescreenMode: PrescreenMode.FLAG,
      });
      const template = Template.fromStack(stack);
      template.hasResourceProperties('AWS::WAFv2::WebACL', {
        AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_48' } } },
        Rules: Match.arrayWith([
          Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP', Limit: 300 }) } }),
          Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'CUSTOM_KEYS', Limit: 120 }) } }),
          Match.objectLike({ Statement: { SizeConstraintStatement: Match.objectLike({ Size: 40_000 }) } }),
        ]),
      });
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 9 })],
      });
      template.hasResourceProperties('AWS::ApiGateway::Model', {
        Schema: Match.objectLike({ properties: Match.objectLike({ messages: Match.objectLike({ maxItems: 7 }) }) }),
      });
      template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 3, Timeout: 900, MemorySize: 512 });
      template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', Integration: Match.objectLike({ TimeoutInMillis: 900_000 }) });
    });

    test('an embedding model is invoked without the guardrail, and only it: the Deny still covers every other model', () => {
      // GIVEN
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      const embed: GatewayModel = { alias: 'titan-embed', modelId: 'amazon.titan-embed-text-v2:0', maxOutputTokens: 1, kind: ModelKind.EMBEDDING };
      const { stack } = build({ models: [...MODELS, embed], groups: [{ ...GROUPS[0]!, models: [...GROUPS[0]!.models, 'titan-embed'] }] }, newStack(app));
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN zero findings (SecureLLM's guardrail rule included), and this shape:
      expect(formatFindings(findings)).toBe('');
      const template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
      const statements = functionStatements(template);
      const embedArn = foundationModel(REGION, 'amazon.titan-embed-text-v2:0');
      expect(statements.find((s) => s.Sid === 'InvokeAllowListedEmbeddingModels')).toEqual({
        Sid: 'InvokeAllowListedEmbeddingModels', Effect: 'Allow', Action: 'bedrock:InvokeModel', Resource: embedArn,
      });
      expect(asArray(statements.find((s) => s.Sid === 'InvokeAllowListedModelsWithGuardrail')!.Resource)).not.toContain(embedArn);
      expect(statements.find((s) => s.Effect === 'Deny')).toMatchObject({ Sid: 'DenyModelCallsWithoutGuardrail', NotResource: embedArn });
      expect(statements.find((s) => s.Effect === 'Deny')!.Resource).toBeUndefined();
    });

    test('the API Gateway account CloudWatch role is created and retained on request, before the stage', () => {
      const { stack } = build({ createApiGatewayAccountRole: true });
      const template = Template.fromStack(stack);
      template.hasResource('AWS::ApiGateway::Account', {
        Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayApiGatewayCloudWatchRole'), 'Arn'] } },
        DeletionPolicy: 'Retain',
      });
      template.hasResource('AWS::IAM::Role', {
        Properties: Match.objectLike({
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
          }),
        }),
        DeletionPolicy: 'Retain',
      });
      const stage = Object.values(template.findResources('AWS::ApiGateway::Stage') as Resources)[0]!;
      expect(stage.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^GatewayApiGatewayAccount/)]));
    });

    test('one invoke permission admits the API\'s deployed stage, as this account\'s API, and nothing else', () => {
      // GIVEN a pinned account (newStack)
      const { stack } = build();
      // (The authorizer has its own permission, scoped to the API's authorizer ARN.)
      const permissions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Permission') as Resources)
        .filter((p) => JSON.stringify(p.Properties.FunctionName).includes('GatewayFunction'));
      // THEN one permission for every route (the function serves them all), none for the console's test-invoke stage
      expect(permissions).toHaveLength(1);
      expect(permissions[0]!.Properties).toMatchObject({ Principal: 'apigateway.amazonaws.com', SourceAccount: ACCOUNT });
      expect(JSON.stringify(permissions[0]!.Properties.SourceArn)).toMatch(new RegExp(`:execute-api:${REGION}:${ACCOUNT}:".*"/prod/\\*/\\*"`));
    });

    test('each configured group becomes a Cognito group of the same name, slashes included', () => {
      const { stack } = build({ groups: [{ name: 'team/ml', models: ['nova-lite'], dailyTokenQuota: 10, maxOutputTokens: 10 }] });
      Template.fromStack(stack).hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'team/ml' });
    });

    test('bodyInspectionLimitFor picks the smallest limit that covers the body', () => {
      expect([1024, 16_384, 16_385, 32_768, 40_000, 49_152, 65_536].map(bodyInspectionLimitFor)).toEqual([
        'KB_16',
        'KB_16',
        'KB_32',
        'KB_32',
        'KB_48',
        'KB_48',
        'KB_64',
      ]);
    });
  });

  describe('validation', () => {
    const fails = (overrides: Partial<InferenceGatewayProps>, message: RegExp): void => {
      expect(() => build(overrides)).toThrow(message);
    };
    const model = (m: Partial<GatewayModel>): GatewayModel[] => [{ ...MODELS[0]!, ...m }];
    const usersOf = (alias: string): GatewayGroup[] => [{ name: 'users', models: [alias], dailyTokenQuota: 10, maxOutputTokens: 10 }];

    test('fails if no model is configured', () => fails({ models: [] }, /models must name at least one model, got \[\]/));
    test('fails if the authorizer cache outlives a minute', () =>
      fails({ authorizerCacheTtl: Duration.seconds(300) }, /authorizerCacheTtl must be a whole number between 0 and 60 seconds .*got 300 seconds/));
    test('fails if the sign-in domain prefix is not a Cognito prefix', () =>
      fails({ signInDomainPrefix: 'my-aws-gateway' }, /signInDomainPrefix must be .* got "my-aws-gateway"/));
    test('fails if a machine client names an unknown group', () =>
      fails({ machineClients: [{ name: 'jobs', groups: ['admins'], team: '' }] }, /machineClients\[0\]\.groups must name configured groups \(users, analysts\), got "admins"/));
    test('fails if two models share an alias', () =>
      fails({ models: [MODELS[0]!, { ...MODELS[0]!, modelId: 'amazon.nova-pro-v1:0' }] }, /models\[1\]\.alias "nova-lite" is defined twice/));
    test('fails if an alias is malformed', () => fails({ models: model({ alias: 'Nova Lite' }), groups: usersOf('Nova Lite') }, /models\[0\]\.alias .* got "Nova Lite"/));
    test('fails if a model id is malformed', () => fails({ models: model({ modelId: 'nova' }) }, /models\[0\]\.modelId .* got "nova"/));
    test('fails if an inference profile does not route to the model', () =>
      fails({ models: model({ inferenceProfileId: 'us.amazon.nova-pro-v1:0', inferenceProfileRegions: ['us-east-1'] }) }, /inferenceProfileId must .* ending with modelId "amazon.nova-lite-v1:0"/));
    test('fails if an inference profile lists no region', () =>
      fails({ models: model({ inferenceProfileId: 'us.amazon.nova-lite-v1:0' }) }, /inferenceProfileRegions must list every region .* got \[\]/));
    test('fails if a profile region is malformed', () =>
      fails({ models: model({ inferenceProfileId: 'us.amazon.nova-lite-v1:0', inferenceProfileRegions: ['US East'] }) }, /got "US East"/));
    test('fails if profile regions are given without a profile', () =>
      fails({ models: model({ inferenceProfileRegions: ['us-east-1'] }) }, /inferenceProfileRegions only applies with inferenceProfileId/));
    test('fails if a model output cap is not positive', () => fails({ models: model({ maxOutputTokens: 0 }) }, /models\[0\]\.maxOutputTokens must be .* got 0/));
    test('fails if a budget is set and a model has no price, naming the model and the fix', () =>
      fails(
        { models: model({ modelId: 'amazon.nova-next-v9:0', allowUnlistedModelId: true }), groups: [{ ...usersOf('nova-lite')[0]!, monthlyBudgetUsd: 10 }] },
        /models\[0\] \("nova-lite", amazon\.nova-next-v9:0\) has no price, and groups\[0\]\.monthlyBudgetUsd sets a spend budget.*Set its inputUsdPerMillionTokens and outputUsdPerMillionTokens/,
      ));
    test('fails if only one of the two prices is given', () =>
      fails({ models: model({ inputUsdPerMillionTokens: 1 }), groups: usersOf('nova-lite') }, /models\[0\] sets only one of inputUsdPerMillionTokens and outputUsdPerMillionTokens, got 1 and none/));
    test('fails if a budget has more than 6 decimals', () =>
      fails({ teams: [{ name: 't', dailyBudgetUsd: 0.1234567 }] }, /teams\[0\]\.dailyBudgetUsd must be a positive USD amount with at most 6 decimals, got 0\.1234567/));
    test('fails if budgets are set without quotas', () =>
      fails({ quotasEnabled: false, teams: [{ name: 't', dailyBudgetUsd: 1 }] }, /teams\[0\]\.dailyBudgetUsd sets a spend budget, which needs the usage table, got quotasEnabled: false/));
    test('fails if the alert fraction is outside (0, 1]', () => fails({ budgetAlertFraction: 0 }, /budgetAlertFraction must be greater than 0 and at most 1, got 0/));
    test('fails if no group is configured', () => fails({ groups: [] }, /groups must name at least one caller group/));
    test('fails if a group names an unknown alias', () =>
      fails({ groups: usersOf('gpt-4') }, /groups\[0\]\.models names the unknown model alias "gpt-4"; define it in models or use one of nova-lite, haiku/));
    test('fails if a group names no alias', () => fails({ groups: [{ ...GROUPS[0]!, models: [] }] }, /groups\[0\]\.models must name at least one model alias, got \[\]/));
    test('fails if two groups share a name', () => fails({ groups: [GROUPS[0]!, GROUPS[0]!] }, /groups\[1\]\.name "users" is defined twice/));
    test('fails if a group name is not a Cognito group name', () => fails({ groups: [{ ...GROUPS[0]!, name: 'two words' }] }, /groups\[0\]\.name .* got "two words"/));
    test('fails if a daily quota is not positive', () => fails({ groups: [{ ...GROUPS[0]!, dailyTokenQuota: -1 }] }, /dailyTokenQuota must be .* got -1/));
    test('fails if the body limit is below 1024 bytes', () => fails({ maxBodyBytes: 1000 }, /maxBodyBytes must be a whole number between 1024 and 65536 .* got 1000/));
    test('fails if the body limit is above what WAF can inspect', () => fails({ maxBodyBytes: 65_537 }, /maxBodyBytes .*\(AWS WAF inspects at most 64 KB .*\), got 65537/));
    test('fails if an embedding alias names a model that is not a supported embedding model', () => fails(
      { models: [{ alias: 'e', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 1, kind: ModelKind.EMBEDDING }], groups: [{ ...GROUPS[0]!, models: ['e'] }] },
      /models\[0\]\.modelId of embedding alias "e" must be one of amazon\.titan-embed-text-v2:0, got "amazon\.nova-lite-v1:0"/,
    ));
    test('fails if a chat alias names an embedding model', () => fails(
      { models: [{ alias: 'e', modelId: 'amazon.titan-embed-text-v2:0', maxOutputTokens: 1 }], groups: [{ ...GROUPS[0]!, models: ['e'] }] },
      /models\[0\]\.modelId "amazon\.titan-embed-text-v2:0" is an embedding model; set models\[0\]\.kind to ModelKind\.EMBEDDING/,
    ));
    test('fails if the image limit is above Bedrock\'s per-image limit', () => fails({ maxImageBytes: 3_750_001 }, /maxImageBytes must be a whole number between 1 and 3750000 .* got 3750001/));
    test('fails if more than 20 images per request are allowed', () => fails({ maxImagesPerRequest: 21 }, /maxImagesPerRequest must be a whole number between 0 and 20 .* got 21/));
    test('fails if the timeout exceeds API Gateway\'s 29 seconds', () =>
      fails({ timeout: Duration.seconds(30) }, /timeout must be a whole number between 5 and 29 seconds \(API Gateway stops waiting .*\), got 30 seconds/));
    test.each([
      [Duration.minutes(16), 960],
      [Duration.seconds(20), 20],
    ])('fails if the stream timeout is outside timeout to 15 minutes (%s)', (streamTimeout, seconds) =>
      fails({ streamTimeout }, new RegExp(`streamTimeout must be a whole number of seconds from timeout \\(29\\) to 900 seconds, got ${seconds}; API Gateway streams a response for at most 15 minutes`)));
    test('fails if the burst is below the rate', () =>
      fails({ throttlingRateLimit: 100, throttlingBurstLimit: 50 }, /throttlingBurstLimit must be at least throttlingRateLimit \(100\), got 50/));
    test('fails if the WAF rate limit is below 10', () => fails({ wafRateLimitPerIp: 5 }, /wafRateLimitPerIp must be .* got 5/));
    test('fails if the WAF per-caller rate limit is below 10', () =>
      fails({ wafRateLimitPerCaller: 9 }, /wafRateLimitPerCaller must be .* got 9/));
    test('fails if reserved concurrency is 0', () => fails({ reservedConcurrency: 0 }, /reservedConcurrency must be .* got 0/));
    test('fails if memory is below Lambda\'s minimum', () => fails({ memorySize: 64 }, /memorySize must be a whole number between 128 and 10240 MB .* got 64 MB/));
    test('fails if Bedrock attempts exceed 5', () => fails({ bedrockMaxAttempts: 6 }, /bedrockMaxAttempts must be .* got 6/));
    test('fails if the message limits are not positive', () => fails({ maxMessages: 0 }, /maxMessages must be .* got 0/));
    test('fails if the system prompt is blank', () => fails({ systemPrompt: '   ' }, /systemPrompt must be 1-20000 characters with a non-space character/));
    test('fails if a link host carries a scheme', () => fails({ allowedLinkHosts: ['https://docs.example.com'] }, /allowedLinkHosts .* got "https:\/\/docs.example.com"/));
    test('fails if a tool host list is keyed by something that is not a tool name', () =>
      fails({ toolAllowedHosts: { 'post webhook': ['hooks.example.com'] } }, /toolAllowedHosts keys must be tool names .* got "post webhook"/));
    test('fails if a tool host list holds a URL instead of a host', () =>
      fails({ toolAllowedHosts: { post_webhook: ['hooks.example.com/in'] } }, /toolAllowedHosts\.post_webhook must hold lowercase host names .* got "hooks.example.com\/in"/));
    test('fails if log retention is infinite', () => fails({ logRetention: logs.RetentionDays.INFINITE }, /logRetention must be a finite period/));
    test('fails if the metrics namespace is an AWS one', () => fails({ metricsNamespace: 'AWS/Lambda' }, /metricsNamespace must be a CloudWatch namespace outside "AWS\/"/));
    test('fails if the configuration does not satisfy the function\'s own schema', () =>
      fails({ blockedInputMessage: '' }, /does not satisfy the function's schema .*blockedInputMessage/));
  });
  describe('retrieval', () => {
    const KB_A = 'KBAAAAAAA1';
    const KB_B = 'KBBBBBBBB2';
    const kbArn = (id: string): string => `arn:aws:bedrock:${REGION}:${ACCOUNT}:knowledge-base/${id}`;
    const BOUND: GatewayModel[] = [
      ...MODELS,
      { alias: 'handbook', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 1000, knowledgeBaseId: KB_A, retrievalResults: 8, retrievalMinScore: 0.4 },
      { alias: 'handbook-pro', modelId: 'amazon.nova-pro-v1:0', maxOutputTokens: 1000, knowledgeBaseId: KB_B },
    ];
    const BOUND_GROUPS: GatewayGroup[] = [...GROUPS, { name: 'readers', models: ['handbook', 'handbook-pro'], dailyTokenQuota: 10_000, maxOutputTokens: 512 }];
    let template: Template;
    let resources: Resources;

    beforeAll(() => {
      // GIVEN two aliases bound to two knowledge bases
      const app = newConstructTestApp({ 'aws:cdk:bundling-stacks': [] });
      build({ models: BOUND, groups: BOUND_GROUPS }, newStack(app));
      // WHEN
      const { assembly, findings } = synthWithCompliance(app);
      // THEN
      expect(formatFindings(findings)).toBe('');
      template = Template.fromJSON(assembly.getStackByName('Test').template);
      resources = template.toJSON().Resources as Resources;
    });

    test('passes every pack with zero unacknowledged findings', () => {
      expect(template).toBeDefined();
    });

    test('the role may Retrieve exactly the bound knowledge bases, and nothing else of the agent runtime', () => {
      const statements = functionStatements(template);
      const retrieve = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('bedrock:Retrieve')));
      expect(retrieve).toEqual([
        { Sid: 'RetrieveFromBoundKnowledgeBases', Effect: 'Allow', Action: 'bedrock:Retrieve', Resource: [kbArn(KB_A), kbArn(KB_B)] },
      ]);
      expect(JSON.stringify(statements)).not.toMatch(/RetrieveAndGenerate|InvokeAgent|bedrock:\*/);
    });

    test('the agent-runtime endpoint admits only the function role, Retrieve and the bound knowledge bases', () => {
      template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
        ServiceName: `com.amazonaws.${REGION}.bedrock-agent-runtime`,
        PrivateDnsEnabled: true,
        PolicyDocument: {
          Statement: [
            {
              Sid: 'AllowNamedActionsOnly',
              Effect: 'Allow',
              Action: 'bedrock:Retrieve',
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GatewayFunctionRole'), 'Arn'] } },
              Resource: [kbArn(KB_A), kbArn(KB_B)],
            },
          ],
          Version: '2012-10-17',
        },
      });
      // Reachable from the function's security group only.
      const endpointSg = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::EC2::SecurityGroup' && id.startsWith('NetworkBedrockAgentRuntimeSecurityGroup'))!;
      const ingress = Object.values(resources).filter(
        (r) => r.Type === 'AWS::EC2::SecurityGroupIngress' && JSON.stringify(r.Properties.GroupId).includes(endpointSg[0]),
      );
      expect(ingress.map((r) => JSON.stringify(r.Properties.SourceSecurityGroupId))).toEqual([expect.stringContaining('GatewayFunctionSecurityGroup')]);
    });

    test('the function learns each bound alias\'s knowledge base from KNOWLEDGE_BASE_IDS', () => {
      const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith('OpenAI-compatible gateway'))!;
      expect(JSON.parse(fn.Properties.Environment.Variables[GATEWAY_ENV.knowledgeBases])).toEqual({ handbook: KB_A, 'handbook-pro': KB_B });
    });

    test('a deploy-time knowledge-base id (a token) is bound the same way', () => {
      // GIVEN
      const stack = newStack();
      const id = Fn.importValue('HandbookKnowledgeBaseId');
      // WHEN
      build({ models: [...MODELS, { alias: 'handbook', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 100, knowledgeBaseId: id }], groups: GROUPS }, stack);
      // THEN
      const t = Template.fromStack(stack);
      const retrieve = functionStatements(t).find((s) => s.Sid === 'RetrieveFromBoundKnowledgeBases')!;
      expect(JSON.stringify(retrieve.Resource)).toContain('HandbookKnowledgeBaseId');
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: { [GATEWAY_ENV.knowledgeBases]: { 'Fn::Join': ['', Match.arrayWith([{ 'Fn::ImportValue': 'HandbookKnowledgeBaseId' }])] } } },
      });
    });

    test('without a bound alias there is no agent-runtime endpoint and no Retrieve permission', () => {
      const t = Template.fromStack(build().stack);
      expect(JSON.stringify(t.findResources('AWS::EC2::VPCEndpoint'))).not.toContain('bedrock-agent-runtime');
      expect(JSON.stringify(functionStatements(t))).not.toContain('bedrock:Retrieve');
    });

    describe('validation', () => {
      const bind = (m: Partial<GatewayModel>): Partial<InferenceGatewayProps> => ({
        models: [...MODELS, { alias: 'handbook', modelId: 'amazon.nova-lite-v1:0', maxOutputTokens: 100, ...m }],
      });
      test('fails if the knowledge-base id is malformed', () =>
        expect(() => build(bind({ knowledgeBaseId: 'kb-123' }))).toThrow(/models\[2\]\.knowledgeBaseId must be a knowledge-base id of 10 uppercase letters or digits .*got "kb-123"/));
      test('fails if an embedding alias is bound', () =>
        expect(() =>
          build(bind({ modelId: 'amazon.titan-embed-text-v2:0', kind: ModelKind.EMBEDDING, knowledgeBaseId: KB_A })),
        ).toThrow(/models\[2\]\.knowledgeBaseId binds embedding alias "handbook" .*only a chat alias can retrieve/));
      test('fails if retrievalResults is out of range', () =>
        expect(() => build(bind({ knowledgeBaseId: KB_A, retrievalResults: 21 }))).toThrow(/models\[2\]\.retrievalResults must be a whole number between 1 and 20, got 21/));
      test('fails if retrievalMinScore is out of range', () =>
        expect(() => build(bind({ knowledgeBaseId: KB_A, retrievalMinScore: 1.5 }))).toThrow(/models\[2\]\.retrievalMinScore must be between 0 and 1, got 1.5/));
      test('fails if retrieval settings come without a knowledge base', () =>
        expect(() => build(bind({ retrievalResults: 3 }))).toThrow(/models\[2\]\.retrievalResults only applies with knowledgeBaseId/));
    });
  });
});
