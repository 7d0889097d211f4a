import { createHash } from 'node:crypto';
import type { BedrockClient } from '@aws-sdk/client-bedrock';
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';
import { type CapturedRequest, LoopbackServer, type LoopbackReply } from '../../helpers/loopback-http';

type HandlerModule = typeof import('../../../lambda/invocation-logging');

const REGION = 'eu-west-1';
const STACK_ID = `arn:aws:cloudformation:${REGION}:123456789012:stack/Baseline/0f6f5a70-0000-11ef-8000-000000000000`;
const OWN_ID = `bedrock-invocation-logging-${REGION}`;
const LOG_GROUP = 'Baseline-InvocationLoggingLogGroup-abc123';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/Baseline-InvocationLoggingDeliveryRole-XYZ';
/** Stands in for the pre-signed query string: a bearer capability that must never reach the logs. */
const SECRET = 'X-Amz-Signature=feedfacecafebeef';

/** Resource properties exactly as CloudFormation delivers them (booleans become strings). */
const PROPERTIES = {
  ServiceToken: `arn:aws:lambda:${REGION}:123456789012:function:Baseline-InvocationLoggingHandler`,
  ServiceTimeout: '300',
  LogGroupName: LOG_GROUP,
  DeliveryRoleArn: ROLE_ARN,
  LargeDataBucketName: 'baseline-invocationlogginglargedatabucket-1x2y3z',
  LargeDataKeyPrefix: 'model-invocations',
  TextDataDeliveryEnabled: 'true',
  ImageDataDeliveryEnabled: 'false',
  EmbeddingDataDeliveryEnabled: 'true',
  VideoDataDeliveryEnabled: 'false',
  AudioDataDeliveryEnabled: 'true',
};

const CONTEXT = { getRemainingTimeInMillis: () => 120_000, logStreamName: '2026/01/01/[$LATEST]0123456789abcdef' };

const SAVED_ENV = { ...process.env };
let bedrock: LoopbackServer;
let cfn: LoopbackServer;
let mod: HandlerModule;
let stdout: jest.SpyInstance;
let stderr: jest.SpyInstance;
const logged: string[] = [];
let requestCounter = 0;

const ok: LoopbackReply = { status: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
function awsError(status: number, type: string, message: string): LoopbackReply {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': type }, body: JSON.stringify({ message }) };
}
function currentConfig(logGroupName: string): LoopbackReply {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loggingConfig: { cloudWatchConfig: { logGroupName, roleArn: ROLE_ARN }, textDataDeliveryEnabled: true } }),
  };
}

/** Someone else's configuration: another log group and role, direct S3 delivery too, every flag as Bedrock returns it. */
const FOREIGN_CONFIG = {
  cloudWatchConfig: {
    logGroupName: 'organization-bedrock-logs',
    roleArn: 'arn:aws:iam::123456789012:role/OrganizationBedrockLogging',
    largeDataDeliveryS3Config: { bucketName: 'organization-bedrock-payloads', keyPrefix: 'large' },
  },
  s3Config: { bucketName: 'organization-bedrock-archive', keyPrefix: 'invocations' },
  textDataDeliveryEnabled: true,
  imageDataDeliveryEnabled: false,
  embeddingDataDeliveryEnabled: false,
  videoDataDeliveryEnabled: false,
  audioDataDeliveryEnabled: true,
};
function configReply(loggingConfig: unknown): LoopbackReply {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ loggingConfig }) };
}

function event(
  requestType: 'Create' | 'Update' | 'Delete',
  overrides: { properties?: Record<string, unknown>; physicalResourceId?: string } = {},
): CloudFormationCustomResourceEvent {
  const requestId = `request-${++requestCounter}`;
  const base = {
    ServiceToken: PROPERTIES.ServiceToken,
    ResponseURL: `${cfn.url}/responses/${requestId}?${SECRET}`,
    StackId: STACK_ID,
    RequestId: requestId,
    LogicalResourceId: 'InvocationLogging8BB927FD',
    ResourceType: 'Custom::BedrockModelInvocationLogging',
    ResourceProperties: (overrides.properties ?? PROPERTIES) as CloudFormationCustomResourceEvent['ResourceProperties'],
  };
  switch (requestType) {
    case 'Create':
      return { ...base, RequestType: 'Create' };
    case 'Update':
      return {
        ...base,
        RequestType: 'Update',
        PhysicalResourceId: overrides.physicalResourceId ?? OWN_ID,
        OldResourceProperties: PROPERTIES,
      };
    case 'Delete':
      return { ...base, RequestType: 'Delete', PhysicalResourceId: overrides.physicalResourceId ?? OWN_ID };
  }
}

/** The single response CloudFormation received for the request. */
function responseFor(e: CloudFormationCustomResourceEvent): { request: CapturedRequest; body: CloudFormationCustomResourceResponse } {
  const requests = cfn.requestsTo('PUT', `/responses/${e.RequestId}`);
  expect(requests).toHaveLength(1);
  return { request: requests[0]!, body: JSON.parse(requests[0]!.body) as CloudFormationCustomResourceResponse };
}

function bedrockCalls(method: string): CapturedRequest[] {
  return bedrock.requestsTo(method, '/logging/modelinvocations');
}

/**
 * A handler with the real SDK client but short backoffs, for the retry and deadline cases. The response timeout only
 * bounds a hang unless a test sets it (a short one would fire on a loopback PUT on a busy machine).
 */
function fastHandler(overrides: { responseReserveMs?: number; bedrockClient?: BedrockClient; sendTimeoutMs?: number } = {}) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { BedrockClient: Client } = require('@aws-sdk/client-bedrock') as typeof import('@aws-sdk/client-bedrock');
  return mod.createHandler({
    bedrock: overrides.bedrockClient ?? new Client({ maxAttempts: 1 }),
    putRetryDelaysMs: [10, 10, 10],
    responseReserveMs: overrides.responseReserveMs ?? 0,
    send: { timeoutMs: overrides.sendTimeoutMs ?? 30_000, attempts: 2, backoffMs: 10 },
  });
}

/** Keeps what the handler's logger writes, instead of printing it. */
function capture(chunk: string | Uint8Array): boolean {
  logged.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
  return true;
}

beforeAll(async () => {
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  bedrock = await LoopbackServer.start();
  cfn = await LoopbackServer.start(() => ({ status: 200 }));
  process.env.AWS_ENDPOINT_URL_BEDROCK = bedrock.url;
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  mod = await import('../../../lambda/invocation-logging');
});

beforeEach(() => {
  bedrock.reset();
  cfn.reset();
  cfn.route = () => ({ status: 200 });
});

afterAll(async () => {
  await bedrock.close();
  await cfn.close();
  stdout.mockRestore();
  stderr.mockRestore();
  process.env = SAVED_ENV;
});

describe('invocation-logging handler', () => {
  describe('create and update', () => {
    test('Create puts the configuration with the real SDK and answers SUCCESS', async () => {
      // GIVEN
      bedrock.route = () => ok;
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      const puts = bedrockCalls('PUT');
      expect(puts).toHaveLength(1);
      expect(puts[0]!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/);
      expect(JSON.parse(puts[0]!.body)).toEqual({
        loggingConfig: {
          cloudWatchConfig: {
            logGroupName: LOG_GROUP,
            roleArn: ROLE_ARN,
            largeDataDeliveryS3Config: { bucketName: PROPERTIES.LargeDataBucketName, keyPrefix: 'model-invocations' },
          },
          textDataDeliveryEnabled: true,
          imageDataDeliveryEnabled: false,
          embeddingDataDeliveryEnabled: true,
          videoDataDeliveryEnabled: false,
          audioDataDeliveryEnabled: true,
        },
      });
      const { request, body } = responseFor(e);
      expect(request.headers['content-type']).toBe('');
      expect(body).toEqual({
        Status: 'SUCCESS',
        PhysicalResourceId: OWN_ID,
        StackId: STACK_ID,
        RequestId: e.RequestId,
        LogicalResourceId: e.LogicalResourceId,
        Reason: 'Create: logging configuration set',
      });
    });

    test('Update puts the new configuration and keeps the physical ID', async () => {
      // GIVEN
      bedrock.route = () => ok;
      const e = event('Update', {
        properties: { ...PROPERTIES, ImageDataDeliveryEnabled: 'true', LargeDataBucketName: undefined, LargeDataKeyPrefix: undefined },
      });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      const sent = JSON.parse(bedrockCalls('PUT')[0]!.body) as { loggingConfig: Record<string, unknown> };
      expect(sent.loggingConfig).toMatchObject({
        cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: ROLE_ARN },
        imageDataDeliveryEnabled: true,
      });
      expect(sent.loggingConfig.cloudWatchConfig).not.toHaveProperty('largeDataDeliveryS3Config');
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OWN_ID });
    });

    test('retries while IAM propagates the delivery role, then succeeds', async () => {
      // GIVEN
      let calls = 0;
      bedrock.route = (req) =>
        req.method === 'GET'
          ? ok
          : ++calls <= 2
          ? awsError(400, 'ValidationException', `Failed to validate permissions for log group: ${LOG_GROUP}, with role: ${ROLE_ARN}. Verify the IAM role permissions are correct.`)
          : ok;
      const e = event('Create');
      // WHEN
      await fastHandler()(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(3);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OWN_ID });
    });
  });

  describe('delete', () => {
    test('Delete removes the configuration this stack set and answers SUCCESS', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig(LOG_GROUP) : ok);
      const e = event('Delete');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('GET')).toHaveLength(1);
      expect(bedrockCalls('DELETE')).toHaveLength(1);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OWN_ID });
    });

    test('Delete treats an already-deleted configuration as done', async () => {
      // GIVEN
      bedrock.route = (req) =>
        req.method === 'GET' ? currentConfig(LOG_GROUP) : awsError(404, 'ResourceNotFoundException', 'No logging configuration');
      const e = event('Delete');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('DELETE')).toHaveLength(1);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS' });
    });

    test('Delete leaves a configuration that another owner put in place since', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig('organization-bedrock-logs') : ok);
      const e = event('Delete');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('DELETE')).toHaveLength(0);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/another owner/) });
    });

    test('Delete after a failed Create calls nothing', async () => {
      // GIVEN
      bedrock.route = () => ok;
      const e = event('Delete', { physicalResourceId: `${OWN_ID}-create-failed` });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrock.requests).toHaveLength(0);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `${OWN_ID}-create-failed` });
    });
  });

  describe('takeover', () => {
    test('fails if Create finds someone else\'s configuration, naming the setting that takes it over, and puts nothing', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(0);
      const { body } = responseFor(e);
      expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `${OWN_ID}-create-failed` });
      expect(body.Reason).toMatch(/^ForeignConfigurationError: .*already configured by someone else \(CloudWatch Logs log group "organization-bedrock-logs" and S3 bucket "organization-bedrock-archive"\)/);
      expect(body.Reason).toContain('set baseline.invocationLogging.takeOverExisting: true');
    });

    test('Create over its own configuration puts it again and keeps the plain physical ID (idempotent)', async () => {
      // GIVEN a retried Create: the configuration in place already delivers to this stack's log group
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig(LOG_GROUP) : ok);
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(1);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OWN_ID, Reason: 'Create: logging configuration set' });
    });

    test('with TakeOverExisting, Create keeps the previous configuration and Delete puts it back exactly', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const create = event('Create', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      // WHEN
      await mod.handler(create, CONTEXT);
      // THEN the stack's configuration is in place and the physical ID carries the previous one
      const created = responseFor(create).body;
      expect(created).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/took over CloudWatch Logs log group "organization-bedrock-logs"/) });
      expect(created.PhysicalResourceId.startsWith(`${OWN_ID}~`)).toBe(true);
      expect(Buffer.byteLength(created.PhysicalResourceId)).toBeLessThanOrEqual(1024);
      expect(JSON.parse(bedrockCalls('PUT')[0]!.body).loggingConfig.cloudWatchConfig.logGroupName).toBe(LOG_GROUP);
      // AND the handler log keeps a copy, for a Create whose response is lost and retried
      expect(logged.join('')).toContain(JSON.stringify(FOREIGN_CONFIG.s3Config));

      // GIVEN the stack is deleted while its own configuration is still in place
      bedrock.reset();
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig(LOG_GROUP) : ok);
      const del = event('Delete', { properties: { ...PROPERTIES, TakeOverExisting: 'true' }, physicalResourceId: created.PhysicalResourceId });
      // WHEN
      await mod.handler(del, CONTEXT);
      // THEN the previous configuration is put back instead of deleting
      expect(bedrockCalls('DELETE')).toHaveLength(0);
      const puts = bedrockCalls('PUT');
      expect(puts).toHaveLength(1);
      expect(JSON.parse(puts[0]!.body)).toEqual({ loggingConfig: FOREIGN_CONFIG });
      expect(responseFor(del).body).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: created.PhysicalResourceId,
        Reason: expect.stringMatching(/^Delete: restored CloudWatch Logs log group "organization-bedrock-logs"/),
      });
    });

    test('Update keeps the taken-over physical ID, so the previous configuration survives until Delete', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const create = event('Create', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      await mod.handler(create, CONTEXT);
      const id = responseFor(create).body.PhysicalResourceId;
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig(LOG_GROUP) : ok);
      const update = event('Update', { properties: { ...PROPERTIES, TakeOverExisting: 'true', ImageDataDeliveryEnabled: 'true' }, physicalResourceId: id });
      // WHEN
      await mod.handler(update, CONTEXT);
      // THEN
      expect(responseFor(update).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: id, Reason: 'Update: logging configuration set' });
    });

    test('Delete of a taken-over configuration leaves a third owner\'s configuration alone', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const create = event('Create', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      await mod.handler(create, CONTEXT);
      bedrock.reset();
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig('yet-another-owner') : ok);
      const del = event('Delete', { physicalResourceId: responseFor(create).body.PhysicalResourceId });
      // WHEN
      await mod.handler(del, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(0);
      expect(bedrockCalls('DELETE')).toHaveLength(0);
      expect(responseFor(del).body).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/another owner/) });
    });

    test('fails if the configuration taken over cannot be put back on Delete, saying so', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const create = event('Create', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      await mod.handler(create, CONTEXT);
      const id = responseFor(create).body.PhysicalResourceId;
      bedrock.route = (req) =>
        req.method === 'GET' ? currentConfig(LOG_GROUP) : awsError(400, 'ValidationException', 'Role OrganizationBedrockLogging does not exist');
      const del = event('Delete', { physicalResourceId: id });
      // WHEN
      await mod.handler(del, CONTEXT);
      // THEN
      expect(bedrockCalls('DELETE')).toHaveLength(0);
      expect(responseFor(del).body).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: id,
        Reason: expect.stringMatching(/^RestoreError: could not restore the configuration this stack took over .*ValidationException: Role OrganizationBedrockLogging does not exist/),
      });
    });

    test('fails if the configuration to take over is too large to keep, before overwriting it', async () => {
      // GIVEN a configuration whose (incompressible) names do not fit in a 1 KB physical ID
      const noise = Array.from({ length: 40 }, (_, i) => createHash('sha256').update(String(i)).digest('base64url')).join('');
      const large = {
        ...FOREIGN_CONFIG,
        cloudWatchConfig: {
          ...FOREIGN_CONFIG.cloudWatchConfig,
          logGroupName: `/org/${noise.slice(0, 500)}`,
          largeDataDeliveryS3Config: { bucketName: 'organization-bedrock-payloads', keyPrefix: noise.slice(500, 1300) },
        },
      };
      bedrock.route = (req) => (req.method === 'GET' ? configReply(large) : ok);
      const e = event('Create', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(0);
      expect(responseFor(e).body).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^PreviousConfigurationTooLargeError: .*more than the 1024 bytes a physical resource ID can hold/),
      });
    });

    test('Update leaves, and reports, a configuration another owner put in place since', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const e = event('Update');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(0);
      expect(responseFor(e).body).toMatchObject({
        Status: 'SUCCESS',
        PhysicalResourceId: OWN_ID,
        Reason: expect.stringMatching(/^Update: left unchanged .*"organization-bedrock-logs".*set baseline\.invocationLogging\.takeOverExisting: true/),
      });
      expect(logged.join('')).toContain('left a configuration that another owner put in place since');
    });

    test('with TakeOverExisting, Update overwrites a configuration another owner put in place since, and says so', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? configReply(FOREIGN_CONFIG) : ok);
      const e = event('Update', { properties: { ...PROPERTIES, TakeOverExisting: 'true' } });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(1);
      expect(responseFor(e).body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: OWN_ID, Reason: expect.stringMatching(/overwriting CloudWatch Logs log group "organization-bedrock-logs" and S3 bucket "organization-bedrock-archive" \(not restored on delete\)/) });
    });
  });

  describe('failures', () => {
    test('a 400 from Bedrock answers FAILED with the reason and a rollback-safe physical ID', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? ok : awsError(400, 'ValidationException', 'The role cannot be assumed by Bedrock'));
      const e = event('Create');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(1);
      const { body } = responseFor(e);
      expect(body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `${OWN_ID}-create-failed` });
      expect(body.Reason).toMatch(/^ValidationException: The role cannot be assumed by Bedrock \(log stream 2026\/01\/01/);
    });

    test('a 500 from Bedrock is retried by the SDK, then answers FAILED', async () => {
      // GIVEN
      bedrock.route = (req) => (req.method === 'GET' ? currentConfig(LOG_GROUP) : awsError(500, 'InternalServerException', 'Internal failure'));
      const e = event('Update');
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrockCalls('PUT')).toHaveLength(3);
      expect(responseFor(e).body).toMatchObject({
        Status: 'FAILED',
        PhysicalResourceId: OWN_ID,
        Reason: expect.stringMatching(/^InternalServerException: Internal failure/),
      });
    });

    test('invalid properties answer FAILED naming each property, without calling Bedrock', async () => {
      // GIVEN
      bedrock.route = () => ok;
      const e = event('Create', {
        properties: { ...PROPERTIES, DeliveryRoleArn: 'not-an-arn', TextDataDeliveryEnabled: 'yes', Extra: 'x' },
      });
      // WHEN
      await mod.handler(e, CONTEXT);
      // THEN
      expect(bedrock.requests).toHaveLength(0);
      const { body } = responseFor(e);
      expect(body.Status).toBe('FAILED');
      expect(body.Reason).toMatch(/^InvalidPropertiesError: Invalid ResourceProperties: /);
      expect(body.Reason).toMatch(/DeliveryRoleArn: must be an IAM role ARN/);
      expect(body.Reason).toMatch(/TextDataDeliveryEnabled/);
      expect(body.Reason).toMatch(/Extra/);
    });

    test('a Bedrock endpoint that never answers still gets FAILED sent before the deadline', async () => {
      // GIVEN
      // GIVEN an endpoint that never answers (only the handler's deadline can end the call) and 1 s left
      bedrock.route = () => ({ status: 200, hang: true });
      const e = event('Create');
      // WHEN
      await fastHandler()(e, { ...CONTEXT, getRemainingTimeInMillis: () => 1_000 });
      // THEN
      expect(responseFor(e).body).toMatchObject({
        Status: 'FAILED',
        Reason: expect.stringMatching(/no answer from Amazon Bedrock within 1 s — check that the VPC has a bedrock interface endpoint/),
      });
    });

    test('an unreachable response URL ends in bounded time with an error (for the dead-letter queue)', async () => {
      // GIVEN a response URL that never answers (only the 300 ms send timeout can end each attempt)
      bedrock.route = () => ok;
      cfn.route = () => ({ status: 200, hang: true });
      const e = event('Create');
      // WHEN / THEN
      await expect(fastHandler({ sendTimeoutMs: 300 })(e, CONTEXT)).rejects.toThrow(/Could not deliver the CloudFormation response after 2 attempt\(s\): timed out after 300 ms/);
      expect(cfn.requestsTo('PUT', `/responses/${e.RequestId}`)).toHaveLength(2);
    });
  });

  describe('logging', () => {
    test('logs the decision but never the response URL', () => {
      // GIVEN / WHEN: every test above
      const all = logged.join('');
      // THEN
      expect(all).toContain('"requestType":"Create"');
      expect(all).toContain('"logicalResourceId":"InvocationLogging8BB927FD"');
      expect(all).toContain('could not deliver the CloudFormation response');
      expect(all).not.toContain(SECRET);
      expect(all).not.toContain('/responses/');
    });
  });
});
