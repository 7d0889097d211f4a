import type { CloudFormationCustomResourceCreateEvent } from 'aws-lambda';
import {
  assertResponseUrl,
  buildResponse,
  MAX_RESPONSE_BYTES,
  sendResponse,
} from '../../../lambda/shared/cfn-response';
import { LoopbackServer } from '../../helpers/loopback-http';

const EVENT: CloudFormationCustomResourceCreateEvent = {
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:handler',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.eu-west-1.amazonaws.com/x?X-Amz-Signature=abc',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Baseline/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'InvocationLogging',
  ResourceType: 'Custom::BedrockModelInvocationLogging',
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:handler' },
};

let server: LoopbackServer;

beforeAll(async () => {
  server = await LoopbackServer.start();
});
beforeEach(() => server.reset());
afterAll(async () => {
  await server.close();
});

describe('cfn-response', () => {
  describe('defaults', () => {
    test('builds the document CloudFormation expects', () => {
      expect(buildResponse(EVENT, { status: 'FAILED', physicalResourceId: 'id-1', reason: 'boom' })).toEqual({
        Status: 'FAILED',
        PhysicalResourceId: 'id-1',
        StackId: EVENT.StackId,
        RequestId: 'request-1',
        LogicalResourceId: 'InvocationLogging',
        Reason: 'boom',
      });
    });

    test.each([
      ['plain', 'x'.repeat(20_000)],
      ['escape-heavy', '"\\\n'.repeat(5_000)],
      ['multi-byte', '€🙂'.repeat(5_000)],
    ])('truncates a long %s reason to fit CloudFormation\'s 4096-byte limit', (_kind, reason) => {
      const body = JSON.stringify(buildResponse(EVENT, { status: 'FAILED', physicalResourceId: 'id', reason }));
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
      expect(body).toContain('[truncated]');
    });

    test('PUTs the JSON with an empty content type, as the pre-signed URL expects', async () => {
      // GIVEN
      server.route = () => ({ status: 200 });
      const response = buildResponse(EVENT, { status: 'SUCCESS', physicalResourceId: 'id' });
      // WHEN
      await sendResponse(`${server.url}/r?sig=1`, response);
      // THEN
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatchObject({ method: 'PUT', url: '/r?sig=1', headers: { 'content-type': '' } });
      expect(JSON.parse(server.requests[0]!.body)).toEqual(response);
    });

    test('retries a 5xx, then succeeds', async () => {
      let n = 0;
      server.route = () => ({ status: ++n === 1 ? 503 : 200 });
      await sendResponse(`${server.url}/r`, buildResponse(EVENT, { status: 'SUCCESS', physicalResourceId: 'id' }), {
        timeoutMs: 30_000, // bounds a hang only
        attempts: 3,
        backoffMs: 5,
      });
      expect(server.requests).toHaveLength(2);
    });
  });

  describe('validation', () => {
    test('fails if the URL answers 403, without retrying', async () => {
      server.route = () => ({ status: 403 });
      await expect(
        sendResponse(`${server.url}/r`, buildResponse(EVENT, { status: 'SUCCESS', physicalResourceId: 'id' }), {
          timeoutMs: 30_000, // bounds a hang only
          attempts: 3,
          backoffMs: 5,
        }),
      ).rejects.toThrow(/HTTP 403/);
      expect(server.requests).toHaveLength(1);
    });

    test('fails in bounded time if the URL never answers', async () => {
      // GIVEN a URL that never answers: only the 150 ms timeout can end each attempt
      server.route = () => ({ status: 200, hang: true });
      await expect(
        sendResponse(`${server.url}/r`, buildResponse(EVENT, { status: 'SUCCESS', physicalResourceId: 'id' }), {
          timeoutMs: 150,
          attempts: 2,
          backoffMs: 10,
        }),
      ).rejects.toThrow(/after 2 attempt\(s\): timed out after 150 ms/);
      expect(server.requests).toHaveLength(2);
    });

    test('fails if the response URL is plain HTTP to a remote host', () => {
      expect(() => assertResponseUrl('http://example.com/r')).toThrow(/ResponseURL must use https \(got http:\)/);
      expect(() => assertResponseUrl('not a url')).toThrow(/not a valid URL/);
      expect(assertResponseUrl(EVENT.ResponseURL).protocol).toBe('https:');
    });
  });
});
