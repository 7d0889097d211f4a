/**
 * Streaming (`stream: true`) with the official `openai` client over HTTP on loopback: the gateway's module-scope
 * streaming handler behind the Lambda HTTP adapter (which reads the response-stream prelude as API Gateway does),
 * against the fake Bedrock server answering ConverseStream in AWS event-stream framing.
 */
import OpenAI, { APIError, BadRequestError, InternalServerError } from 'openai';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StreamingHandler } from '../../../lambda/gateway/response-stream';
import { QuotaStore } from '../../../lambda/gateway/quota';
import { BedrockServer, ConverseRequestBody, startBedrockServer } from '../../helpers/bedrock-server';
import { Dynalite, createUsageTable, newTestDynamoDbClient, startDynalite } from '../../helpers/dynalite';
import { LambdaHttpAdapter, startLambdaHttpAdapter, userContext } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG, staticConfigJson } from './gateway-fixtures';
import { FAKE_AWS_ACCESS_KEY_ID } from '../../helpers/fake-credentials';

const ENV_KEYS = [
  'GATEWAY_CONFIG', 'GUARDRAIL_ID', 'GUARDRAIL_VERSION', 'QUOTA_TABLE_NAME', 'AWS_REGION', 'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ENDPOINT_URL_DYNAMODB',
] as const;

const RUN = Date.now();
const USERS: Record<string, Record<string, string>> = {
  'Bearer key-alice': userContext(`alice-${RUN}`, 'users'),
  'Bearer key-cut': userContext(`cut-${RUN}`, 'users'),
  'Bearer key-gone': userContext(`gone-${RUN}`, 'users'),
  'Bearer key-error': userContext(`error-${RUN}`, 'users'),
  'Bearer key-late': userContext(`late-${RUN}`, 'users'),
  'Bearer key-nousage': userContext(`nousage-${RUN}`, 'users'),
  'Bearer key-nousage-buffered': userContext(`nousage-buffered-${RUN}`, 'users'),
};
const claimsFor = (auth: string | undefined) => (auth === undefined ? undefined : USERS[auth]);

/** Benign prose, about 2 KB after `n` repetitions of 100 characters. */
const benign = (n: number) => 'The quarterly report covers revenue, hiring and the roadmap for the next two product releases. '.repeat(n);
const CANARY = /cnry[a-z2-7]{20}/i;

function systemText(body: ConverseRequestBody): string {
  return (body.system ?? []).map((b) => b.text ?? '').join('\n');
}

describe('openai client streaming from the gateway', () => {
  const saved: Partial<Record<(typeof ENV_KEYS)[number], string>> = {};
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let db: Dynalite;
  let dynamo: DynamoDBClient;
  let adapter: LambdaHttpAdapter;
  const client = (key: string) => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: key, maxRetries: 0, timeout: 60_000 }); // the timeout bounds a hang only

  /** Streams one request; returns the chunks, or the error the SDK raised after them. */
  async function stream(key: string, body: Partial<OpenAI.ChatCompletionCreateParamsStreaming> = {}) {
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    let error: unknown;
    let requestId: string | null = null;
    try {
      const { data, response } = await client(key).chat.completions
        .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Write the report.' }], stream: true, ...body })
        .withResponse();
      requestId = response.headers.get('x-request-id');
      for await (const chunk of data) chunks.push(chunk);
    } catch (err) {
      error = err;
    }
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    const finish = chunks.map((c) => c.choices[0]?.finish_reason).filter((f) => f !== null && f !== undefined);
    return { chunks, text, finish, error, requestId };
  }

  const usage = (key: string) => new QuotaStore(dynamo, TEST_CONFIG.quotaTableName!).usage(USERS[`Bearer ${key}`]!.subject!);

  beforeAll(async () => {
    stdout.start();
    for (const k of ENV_KEYS) saved[k] = process.env[k];
    [server, db] = await Promise.all([startBedrockServer(), startDynalite()]);
    await createUsageTable(db.endpoint, TEST_CONFIG.quotaTableName);
    dynamo = newTestDynamoDbClient(db.endpoint);
    Object.assign(process.env, {
      GATEWAY_CONFIG: staticConfigJson(),
      GUARDRAIL_ID: TEST_CONFIG.guardrailId,
      GUARDRAIL_VERSION: TEST_CONFIG.guardrailVersion,
      QUOTA_TABLE_NAME: TEST_CONFIG.quotaTableName,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTESTTESTTESTTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret-key',
      AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    // Imported after the environment is set, as Lambda would load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler: StreamingHandler = (require('../../../lambda/gateway/index') as typeof import('../../../lambda/gateway/index')).handler;
    adapter = await startLambdaHttpAdapter(handler, { claimsFor });
  });

  afterAll(async () => {
    stdout.stop();
    dynamo?.destroy();
    await Promise.all([adapter?.close(), server?.close(), db?.close()]);
    for (const k of ENV_KEYS) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  describe('defaults', () => {
    test('streamed text equals non-streamed text for the same reply, with usage last', async () => {
      // GIVEN a long reply with an allowed link, a link to another host and a key, in 16-character deltas
      const reply = `${benign(8)}See [the docs](https://docs.example.com/a) and [this](https://evil.example/x?d=1). Key ${FAKE_AWS_ACCESS_KEY_ID}. ${benign(3)}`;
      server.setBehavior({ kind: 'reply', text: reply });
      const plain = await client('key-alice').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Write the report.' }] });
      // WHEN
      const streamed = await stream('key-alice', { stream_options: { include_usage: true } });
      // THEN
      expect(streamed.error).toBeUndefined();
      expect(streamed.text).toBe(plain.choices[0]!.message.content);
      expect(streamed.text).not.toContain('evil.example');
      expect(streamed.text).not.toContain(FAKE_AWS_ACCESS_KEY_ID);
      expect(streamed.chunks.length).toBeGreaterThan(3);
      expect(streamed.chunks[0]!.choices[0]!.delta.role).toBe('assistant');
      expect(streamed.finish).toEqual(['stop']);
      expect(streamed.chunks[streamed.chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } });
      const sent = server.requests[server.requests.length - 1]!;
      expect(sent.operation).toBe('ConverseStream');
      expect((sent.body as ConverseRequestBody).guardrailConfig).toMatchObject({ guardrailVersion: TEST_CONFIG.guardrailVersion, streamProcessingMode: 'sync' });
      expect(stdout.audit(streamed.requestId!)).toMatchObject({ stream: true, streamEnd: 'complete', status: 200, inputTokens: 12, outputTokens: 7 });
    });

    test('streamed answers share the pooled HTTP/2 session with the other calls: no new connection before the first byte', async () => {
      // GIVEN a reply, and a first request that opened (or reused) the gateway's session
      server.setBehavior({ kind: 'reply', text: benign(2) });
      await client('key-alice').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hello.' }] });
      const before = server.requests.length;
      // WHEN two streamed answers and a non-streamed one follow
      for (const _ of [1, 2]) expect((await stream('key-alice')).error).toBeUndefined();
      await client('key-alice').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Hello.' }] });
      // THEN all of them came on the session the first one used (the SDK would open one per event-stream operation)
      const calls = server.requests.slice(before - 1);
      expect(calls.map((r) => r.operation)).toEqual(['Converse', 'ConverseStream', 'ConverseStream', 'Converse']);
      expect(new Set(calls.map((r) => r.session))).toEqual(new Set([calls[0]!.session]));
    });

    test('a tool call is streamed whole after screening, with finish_reason tool_calls', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' } });
      // WHEN
      const streamed = await stream('key-alice', {
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
      });
      // THEN
      expect(streamed.error).toBeUndefined();
      const calls = streamed.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
      expect(calls).toEqual([{ index: 0, id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
      expect(streamed.finish).toEqual(['tool_calls']);
    });

    test('a guardrail refusing the prompt is an ordinary 400 before the first byte', async () => {
      // GIVEN
      server.setBehavior({ kind: 'guardrailIntervened', source: 'input' });
      // WHEN
      const streamed = await stream('key-alice');
      // THEN
      expect(streamed.error).toBeInstanceOf(BadRequestError);
      expect(streamed.chunks).toHaveLength(0);
    });
  });

  describe('screening', () => {
    test('fails if a system-prompt leak after 2 KB of benign text reaches the client: content_filter, nothing of it sent', async () => {
      // GIVEN a reply that repeats the system prompt after 2 KB of benign text, its per-request canary spelled out with
      // spaces (so each of its 16-character deltas ends inside the canary, and white space lies within it)
      server.setBehavior({
        kind: 'echo',
        render: (body) => `${benign(21)}${systemText(body).replace(CANARY, (c) => c.split('').join(' '))} ${benign(5)}`,
      });
      // WHEN
      const streamed = await stream('key-alice');
      // THEN text was released before the leak, and the leak never
      expect(streamed.error).toBeUndefined();
      expect(streamed.text.length).toBeGreaterThan(1000);
      expect(streamed.text).not.toMatch(CANARY);
      expect(streamed.text).not.toMatch(/c n r y/i);
      expect(streamed.text).not.toContain('Policy P-7');
      expect(streamed.finish).toEqual(['content_filter']);
      const record = stdout.audit(streamed.requestId!)!;
      expect(record).toMatchObject({ decision: 'blocked', blockReason: 'canary_leak', streamEnd: 'blocked' });
      expect(record.streamReleasedChars).toBeLessThan(record.streamReceivedChars as number);
      expect(streamed.text.length).toBe((record.streamReleasedChars as number) + TEST_CONFIG.blockedOutputMessage.length);
    });

    test('fails if a secret split across three chunks reaches the client', async () => {
      // GIVEN
      const key = FAKE_AWS_ACCESS_KEY_ID;
      server.setBehavior({ kind: 'stream', chunks: [benign(6), `Use key ${key.slice(0, 7)}`, key.slice(7, 15), `${key.slice(15)} to sign in. ${benign(6)}`] });
      // WHEN
      const streamed = await stream('key-alice');
      // THEN
      expect(streamed.error).toBeUndefined();
      expect(streamed.text).not.toContain(key.slice(0, 7));
      expect(streamed.text).not.toContain(key.slice(7, 15));
      expect(streamed.text).toContain('to sign in.');
      expect(streamed.finish).toEqual(['stop']);
    });

    test('fails if a link split across two chunks reaches the client', async () => {
      // GIVEN
      server.setBehavior({ kind: 'stream', chunks: [`${benign(6)}Open https://evil.exa`, `mple/collect?d=secret now. ${benign(6)}`] });
      // WHEN
      const streamed = await stream('key-alice');
      // THEN
      expect(streamed.error).toBeUndefined();
      expect(streamed.text).not.toContain('evil.exa');
      expect(streamed.text).not.toContain('collect?d=secret');
      expect(streamed.text).toContain('now.');
    });
  });

  describe('broken streams', () => {
    test('a stream Bedrock cuts mid-way ends with an error event and settles the whole reservation', async () => {
      // GIVEN a cut after more text than the hold-back window
      server.setBehavior({ kind: 'stream', chunks: [benign(4), benign(4), benign(4), benign(4)], cutAfter: 3 });
      // WHEN
      const streamed = await stream('key-cut');
      // THEN the released text arrived, then an error the SDK raises; nothing stays reserved
      expect(streamed.text.length).toBeGreaterThan(0);
      expect(streamed.error).toBeInstanceOf(APIError);
      expect(streamed.finish).toEqual([]);
      const record = stdout.audit(streamed.requestId!)!;
      expect(record).toMatchObject({ streamEnd: 'bedrock_cut', decision: 'failed', streamSettledReservation: true });
      expect(await usage('key-cut')).toEqual({ used: record.reservedTokens, reserved: 0 });
    });

    test('fails if an answer whose metadata carries no usage settles less than the whole reservation', async () => {
      // GIVEN a stream longer than the hold-back window whose metadata event has no usage (Bedrock always sends it)
      server.setBehavior({ kind: 'stream', chunks: [benign(4), benign(4), benign(4), benign(4)], omitUsage: true });
      // WHEN
      const streamed = await stream('key-nousage');
      // THEN it ends as an incomplete stream (an error event after the released text), charged the whole reservation
      expect(streamed.text.length).toBeGreaterThan(0);
      expect(streamed.error).toBeInstanceOf(APIError);
      const record = stdout.audit(streamed.requestId!)!;
      expect(record).toMatchObject({ streamEnd: 'bedrock_cut', decision: 'failed', streamSettledReservation: true });
      expect(await usage('key-nousage')).toEqual({ used: record.reservedTokens, reserved: 0 });
    });

    test('fails if a buffered answer without usage is returned, or settles less than the whole reservation', async () => {
      // GIVEN a Converse answer without usage
      server.setBehavior({ kind: 'stream', chunks: ['Hello', ' there'], omitUsage: true });
      // WHEN it is asked for without streaming
      let error: unknown;
      let requestId: string | undefined;
      try {
        await client('key-nousage-buffered').chat.completions.create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Say hello.' }] });
      } catch (err) {
        error = err;
        requestId = (err as APIError).requestID ?? undefined;
      }
      // THEN a 502 in the API's error format, and the whole reservation is used
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as APIError).status).toBe(502);
      const record = stdout.audit(requestId!)!;
      expect(record).toMatchObject({ usageMissing: true, decision: 'failed' });
      expect(await usage('key-nousage-buffered')).toEqual({ used: record.reservedTokens, reserved: 0 });
    });

    test('a stream cut before any text is released is an ordinary 502', async () => {
      // GIVEN
      server.setBehavior({ kind: 'stream', chunks: ['Hello', ' there'], cutAfter: 1 });
      // WHEN
      const streamed = await stream('key-cut');
      // THEN
      expect(streamed.error).toBeInstanceOf(InternalServerError);
      expect((streamed.error as APIError).status).toBe(502);
      expect(streamed.chunks).toHaveLength(0);
    });

    test('an exception mid-stream ends with an error event', async () => {
      // GIVEN
      server.setBehavior({ kind: 'stream', chunks: [benign(4), benign(4), benign(4)], exceptionAfter: { chunks: 2, type: 'modelStreamErrorException' } });
      // WHEN
      const streamed = await stream('key-error');
      // THEN
      expect(streamed.text.length).toBeGreaterThan(0);
      expect(streamed.error).toBeInstanceOf(APIError);
      expect(streamed.error).toMatchObject({ type: 'server_error' });
      expect(stdout.audit(streamed.requestId!)).toMatchObject({ streamEnd: 'bedrock_error', decision: 'failed', streamSettledReservation: true });
      expect(await usage('key-error')).toMatchObject({ reserved: 0 });
    });

    test('a failure after the first byte (ApplyGuardrail on the tool call) ends with an error event, never a second status', async () => {
      // GIVEN text longer than the hold-back window before a tool call, and ApplyGuardrail failing on the arguments
      server.setBehavior({
        kind: 'byRoute',
        converse: { kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' }, text: benign(10) },
        // The first call checks the tool declaration (INPUT), the second the tool call's arguments (OUTPUT).
        applyGuardrail: { kind: 'sequence', steps: [{ kind: 'applyGuardrail', action: 'NONE' }, { kind: 'error', type: 'AccessDeniedException' }] },
      });
      // WHEN
      const streamed = await stream('key-error', {
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      });
      // THEN
      expect(streamed.text.length).toBeGreaterThan(0);
      expect(streamed.error).toBeInstanceOf(APIError);
      expect(streamed.chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])).toEqual([]);
      expect(stdout.audit(streamed.requestId!)).toMatchObject({ streamEnd: 'failed', decision: 'failed', status: 200 });
    });

    test('a stream still running near the function\'s end stops just before it: an error event, a clean close, the reservation settled', async () => {
      // GIVEN a function with 4.5 seconds left (the fake context's remaining time; 1.5 s of it kept as the margin, 3 s
      // in which even a busy machine releases the first text) and
      // a stream that hangs after more text than the hold-back window
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const handler: StreamingHandler = (require('../../../lambda/gateway/index') as typeof import('../../../lambda/gateway/index')).handler;
      const late = await startLambdaHttpAdapter(handler, { claimsFor, remainingTimeMs: 4500 });
      server.setBehavior({ kind: 'stream', chunks: [benign(4), benign(4), benign(4)], hangAfter: 2 });
      try {
        // WHEN
        const { data, response } = await new OpenAI({ baseURL: `${late.url}/v1`, apiKey: 'key-late', maxRetries: 0, timeout: 60_000 }).chat.completions
          .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Write the report.' }], stream: true })
          .withResponse();
        let text = '';
        let error: unknown;
        try {
          for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
        } catch (err) {
          error = err;
        }
        // THEN the released text, then the error the SDK raises from the last event; the record says why, nothing stays reserved
        expect(text.length).toBeGreaterThan(0);
        expect(error).toBeInstanceOf(APIError);
        expect(error).toMatchObject({ code: 'upstream_timeout' });
        const requestId = response.headers.get('x-request-id')!;
        while (stdout.audit(requestId) === undefined) await new Promise((resolve) => setImmediate(resolve));
        expect(stdout.audit(requestId)).toMatchObject({ streamEnd: 'deadline', decision: 'failed', reason: 'upstream_timeout', streamSettledReservation: true });
        expect(await usage('key-late')).toMatchObject({ reserved: 0 });
      } finally {
        await late.close();
      }
    });

    test('a client that goes away mid-stream stops the model call and settles the reservation', async () => {
      // GIVEN a stream that hangs after more text than the hold-back window
      server.setBehavior({ kind: 'stream', chunks: [benign(4), benign(4), benign(4)], hangAfter: 2 });
      const controller = new AbortController();
      const { data, response } = await client('key-gone').chat.completions
        .create({ model: 'nova-lite', messages: [{ role: 'user', content: 'Write the report.' }], stream: true }, { signal: controller.signal })
        .withResponse();
      const requestId = response.headers.get('x-request-id')!;
      // WHEN the client reads the first chunk and leaves
      for await (const chunk of data) {
        expect(chunk.object).toBe('chat.completion.chunk');
        controller.abort();
        break;
      }
      // THEN the invocation ends (its audit record appears) and nothing stays reserved
      while (stdout.audit(requestId) === undefined) await new Promise((resolve) => setImmediate(resolve));
      expect(stdout.audit(requestId)).toMatchObject({ streamEnd: 'client_closed', streamSettledReservation: true });
      expect(await usage('key-gone')).toMatchObject({ reserved: 0 });
    });
  });
});
