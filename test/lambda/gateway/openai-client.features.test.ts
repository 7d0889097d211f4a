/**
 * Structured output and images with the official `openai` client over HTTP against the gateway handler and the
 * loopback Bedrock server. Structured output (`response_format` `json_object` / `json_schema`): the model is forced to
 * one tool whose input schema is the requested schema, and only validated, screened JSON comes back. Images: PNG/JPEG
 * `data:` URLs become guard content image blocks; remote URLs are refused. Embeddings: InvokeModel per input, OpenAI
 * shape, quota reserved and settled.
 */
import OpenAI, { BadRequestError, InternalServerError } from 'openai';
import { Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import { createHandler } from '../../../lambda/gateway/index';
import { JSON_OBJECT_TOOL_NAME } from '../../../lambda/gateway/request';
import { BedrockServer, RecordedRequest, startBedrockServer, titanEmbeddingReply } from '../../helpers/bedrock-server';
import { Dynalite, createUsageTable, fakeCredentials, newTestDynamoDbClient, startDynalite } from '../../helpers/dynalite';
import { LambdaHttpAdapter, startLambdaHttpAdapter, userContext } from '../../helpers/lambda-http-adapter';
import { tinyPng } from '../../helpers/png';
import { StdoutCapture, TEST_CONFIG } from './gateway-fixtures';
import { FAKE_AWS_ACCESS_KEY_ID } from '../../helpers/fake-credentials';

interface SentConverse {
  toolConfig?: { tools: Array<{ toolSpec: { name: string; inputSchema: { json: unknown } } }>; toolChoice: unknown };
}

const CITY_SCHEMA = {
  type: 'object',
  properties: { city: { type: 'string', maxLength: 40 }, population: { type: 'integer', minimum: 0 } },
  required: ['city', 'population'],
  additionalProperties: false,
};
const FORMAT = { type: 'json_schema', json_schema: { name: 'city_facts', schema: CITY_SCHEMA, strict: true } } as const;
const MESSAGES = [{ role: 'user', content: 'Largest city of France, as JSON.' }] as const;

describe('structured output through the openai client', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let adapter: LambdaHttpAdapter;
  const client = (key = 'key-power') => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: key, maxRetries: 0, timeout: 60_000 });
  const lastConverse = (): RecordedRequest => server.requests.filter((r) => r.operation === 'Converse').at(-1)!;
  const audits = () => stdout.json().filter((l) => l.message === 'audit').map((l) => l.audit as Record<string, unknown>);

  beforeAll(async () => {
    stdout.start();
    server = await startBedrockServer();
    const bedrock = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() });
    const handler = createHandler({
      config: { ...TEST_CONFIG, quotasEnabled: false },
      bedrock,
      auditor: new Auditor(newLogger(), newMetrics()),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
    adapter = await startLambdaHttpAdapter(handler, { claimsFor: () => userContext('structured-user', 'power') });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), server?.close()]);
  });

  describe('defaults', () => {
    test('json_schema: the model is forced to the schema tool and the validated JSON is the content, finish_reason stop', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'city_facts', input: { city: 'Paris', population: 2102650 }, text: 'Here you go:' });
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT });
      // THEN
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe('stop');
      expect(choice.message.tool_calls).toBeUndefined();
      expect(JSON.parse(choice.message.content!)).toEqual({ city: 'Paris', population: 2102650 });
      const sent = lastConverse().body as SentConverse;
      expect(sent.toolConfig).toEqual({
        tools: [expect.objectContaining({ toolSpec: expect.objectContaining({ name: 'city_facts', inputSchema: { json: CITY_SCHEMA } }) })],
        toolChoice: { tool: { name: 'city_facts' } },
      });
    });

    test('json_object: any JSON object, through the gateway\'s own tool', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: JSON_OBJECT_TOOL_NAME, input: { answer: 42, tags: ['a'] } });
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: { type: 'json_object' } });
      // THEN
      expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ answer: 42, tags: ['a'] });
      expect((lastConverse().body as SentConverse).toolConfig?.toolChoice).toEqual({ tool: { name: JSON_OBJECT_TOOL_NAME } });
    });

    test('chat.completions.parse reads the structured answer', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'city_facts', input: { city: 'Lyon', population: 522250 } });
      // WHEN
      const completion = await client().chat.completions.parse({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT });
      // THEN
      expect(completion.choices[0]!.message.parsed).toEqual({ city: 'Lyon', population: 522250 });
    });
  });

  describe('validation', () => {
    test('fails if the model\'s JSON does not match the schema: 502 invalid_structured_output, nothing of it returned', async () => {
      // GIVEN a population that is not an integer
      server.setBehavior({ kind: 'toolUse', name: 'city_facts', input: { city: 'Paris', population: 'many' } });
      // WHEN
      const error = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT }).catch((e: unknown) => e);
      // THEN
      expect(error).toBeInstanceOf(InternalServerError);
      expect((error as InternalServerError).status).toBe(502);
      expect((error as InternalServerError).code).toBe('invalid_structured_output');
      expect(JSON.stringify((error as InternalServerError).error)).not.toContain('many');
      expect(audits().at(-1)).toMatchObject({ status: 502, outputScreen: ['structured-output-invalid:$.population'] });
    });

    test('fails if the model answers in text instead of calling the tool: 502', async () => {
      // GIVEN
      server.setBehavior({ kind: 'reply', text: '{"city": "Paris"}' });
      // WHEN
      const error = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT }).catch((e: unknown) => e);
      // THEN
      expect((error as InternalServerError).code).toBe('invalid_structured_output');
    });

    test('fails if the model is not one that can be forced to a tool: 400 unsupported_parameter naming response_format', async () => {
      // WHEN
      const error = await client().chat.completions.create({ model: 'nova-pro', messages: [...MESSAGES], response_format: { type: 'json_object' } }).catch((e: unknown) => e);
      // THEN
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
    });

    test('fails closed if the JSON leaks the canary: content_filter, no JSON', async () => {
      // GIVEN the model repeats its system prompt's canary inside a field
      const since = server.requests.length;
      server.setBehavior({
        kind: 'toolUse',
        name: 'city_facts',
        input: {},
        renderInput: (req) => ({ city: /cnry[a-z2-7]{20}/.exec(req.system?.[0]?.text ?? '')![0], population: 1 }),
      });
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT });
      // THEN
      expect(completion.choices[0]!.finish_reason).toBe('content_filter');
      expect(completion.choices[0]!.message.content).toBe(TEST_CONFIG.blockedOutputMessage);
      expect(server.requests.slice(since).some((r) => r.operation === 'Converse')).toBe(true);
    });

    test('fails closed if redacting a secret breaks the schema: content_filter', async () => {
      // GIVEN an AWS access key id in a field limited to 20 characters: the placeholder is longer
      server.setBehavior({
        kind: 'toolUse',
        name: 'creds',
        input: { key: FAKE_AWS_ACCESS_KEY_ID },
      });
      const format = { type: 'json_schema', json_schema: { name: 'creds', schema: { type: 'object', properties: { key: { type: 'string', maxLength: 20 } } } } } as const;
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: format });
      // THEN
      expect(completion.choices[0]!.finish_reason).toBe('content_filter');
      expect(completion.choices[0]!.message.content).not.toContain('AKIA');
      expect(audits().at(-1)).toMatchObject({ blockReason: 'output_screen', outputScreen: expect.arrayContaining(['redaction-breaks-schema']) });
    });

    test('fails closed if the JSON links to a host outside the allow-list: content_filter', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'city_facts', input: { city: 'see https://evil.example.net/x?d=secret', population: 1 } });
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: FORMAT });
      // THEN
      expect(completion.choices[0]!.finish_reason).toBe('content_filter');
    });

    test('fails if the guardrail blocks the JSON (ApplyGuardrail OUTPUT): content_filter', async () => {
      // GIVEN (json_object: no client schema, so the only ApplyGuardrail call is the one on the output)
      server.setBehavior({
        kind: 'byRoute',
        converse: { kind: 'toolUse', name: JSON_OBJECT_TOOL_NAME, input: { city: 'Paris', population: 1 } },
        applyGuardrail: { kind: 'applyGuardrail', action: 'GUARDRAIL_INTERVENED' },
      });
      // WHEN
      const completion = await client().chat.completions.create({ model: 'nova-lite', messages: [...MESSAGES], response_format: { type: 'json_object' } });
      // THEN
      expect(completion.choices[0]!.finish_reason).toBe('content_filter');
      const apply = server.requests.filter((r) => r.operation === 'ApplyGuardrail').at(-1)!;
      expect(apply.body).toMatchObject({ source: 'OUTPUT', content: [{ text: { text: '{"city":"Paris","population":1}' } }] });
    });
  });
});

describe('images through the openai client', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let adapter: LambdaHttpAdapter;
  const client = () => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: 'key-power', maxRetries: 0, timeout: 60_000 });
  const png = tinyPng();
  const pngUrl = `data:image/png;base64,${png.toString('base64')}`;
  const ask = (model: string, url: string) => client().chat.completions.create({
    model,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'What colour is this pixel?' }, { type: 'image_url', image_url: { url, detail: 'low' } }] }],
  });

  beforeAll(async () => {
    stdout.start();
    server = await startBedrockServer();
    const handler = createHandler({
      config: { ...TEST_CONFIG, quotasEnabled: false },
      bedrock: newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() }),
      auditor: new Auditor(newLogger(), newMetrics()),
    });
    adapter = await startLambdaHttpAdapter(handler, { claimsFor: () => userContext('image-user', 'power') });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), server?.close()]);
  });

  beforeEach(() => server.setBehavior({ kind: 'reply', text: 'Red.' }));

  describe('defaults', () => {
    test('a PNG data URL becomes a guard content image block with the same bytes, beside the guarded text', async () => {
      // WHEN
      const completion = await ask('nova-lite', pngUrl);
      // THEN
      expect(completion.choices[0]!.message.content).toBe('Red.');
      const sent = server.requests.filter((r) => r.operation === 'Converse').at(-1)!.body as {
        messages: Array<{ role: string; content: Array<{ guardContent?: { text?: { text: string }; image?: { format: string; source: { bytes: string } } } }> }>;
      };
      const blocks = sent.messages[0]!.content;
      expect(blocks.map((b) => Object.keys(b.guardContent ?? {})[0])).toEqual(['text', 'image']);
      expect(blocks[1]!.guardContent!.image!.format).toBe('png');
      expect(Buffer.from(blocks[1]!.guardContent!.image!.source.bytes, 'base64').equals(png)).toBe(true);
      const audit = stdout.json().filter((l) => l.message === 'audit').at(-1)!.audit;
      expect(audit).toMatchObject({ imageCount: 1, imageBytes: png.length });
    });
  });

  describe('validation', () => {
    test('fails if the image is a remote URL: 400 naming the parameter, and Bedrock is never called', async () => {
      // GIVEN
      const since = server.requests.length;
      // WHEN
      const error = await ask('nova-lite', 'https://example.com/pixel.png').catch((e: unknown) => e);
      // THEN
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'messages[0].content[1].image_url.url' });
      expect(server.requests.length).toBe(since);
    });

    test('fails if the model does not accept images: 400 unsupported_parameter', async () => {
      const error = await ask('nova-pro', pngUrl).catch((e: unknown) => e);
      expect(error).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'messages[0].content' });
    });

    test('fails if the image is larger than the configured limit: 413', async () => {
      // GIVEN a gateway whose images may have at most 16 bytes
      const small = createHandler({
        config: { ...TEST_CONFIG, quotasEnabled: false, limits: { ...TEST_CONFIG.limits, maxImageBytes: 16 } },
        bedrock: newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() }),
        auditor: new Auditor(newLogger(), newMetrics()),
      });
      const smallAdapter = await startLambdaHttpAdapter(small, { claimsFor: () => userContext('image-user', 'power') });
      try {
        // WHEN
        const error = await new OpenAI({ baseURL: `${smallAdapter.url}/v1`, apiKey: 'k', maxRetries: 0 }).chat.completions
          .create({ model: 'nova-lite', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: pngUrl } }] }] })
          .catch((e: unknown) => e);
        // THEN
        expect(error).toMatchObject({ status: 413 });
      } finally {
        await smallAdapter.close();
      }
    });
  });
});

describe('embeddings through the openai client', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let db: Dynalite;
  let adapter: LambdaHttpAdapter;
  const client = () => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: 'key-indexer', maxRetries: 0, timeout: 60_000 });
  const audit = () => stdout.json().filter((l) => l.message === 'audit').at(-1)!.audit as Record<string, unknown>;

  beforeAll(async () => {
    stdout.start();
    [server, db] = await Promise.all([startBedrockServer(), startDynalite()]);
    await createUsageTable(db.endpoint, TEST_CONFIG.quotaTableName!);
    const handler = createHandler({
      config: {
        ...TEST_CONFIG,
        models: { ...TEST_CONFIG.models, 'titan-embed': { modelId: 'amazon.titan-embed-text-v2:0', maxOutputTokens: 1, kind: 'embedding' } },
        groups: { ...TEST_CONFIG.groups, indexers: { models: ['titan-embed', 'nova-lite'], dailyTokenQuota: 50, maxOutputTokens: 100 } },
      },
      bedrock: newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() }),
      dynamo: newTestDynamoDbClient(db.endpoint),
      auditor: new Auditor(newLogger(), newMetrics()),
    });
    adapter = await startLambdaHttpAdapter(handler, { claimsFor: () => userContext(`indexer-${Date.now()}`, 'indexers') });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), server?.close(), db?.close()]);
  });

  describe('defaults', () => {
    test('embeds each input with InvokeModel, without a guardrail, in OpenAI\'s shape, and settles the quota on the model\'s count', async () => {
      // GIVEN
      const since = server.requests.length;
      // WHEN
      const result = await client().embeddings.create({ model: 'titan-embed', input: ['alpha beta', 'gamma'], dimensions: 256, encoding_format: 'float' });
      // THEN
      expect(result.object).toBe('list');
      expect(result.model).toBe('titan-embed');
      expect(result.data.map((d) => [d.index, d.embedding.length])).toEqual([[0, 256], [1, 256]]);
      expect(result.data[0]!.embedding).toEqual(titanEmbeddingReply({ inputText: 'alpha beta', dimensions: 256 }).embedding);
      expect(result.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
      const calls = server.requests.slice(since);
      expect(calls.map((r) => [r.operation, r.modelId])).toEqual([['InvokeModel', 'amazon.titan-embed-text-v2:0'], ['InvokeModel', 'amazon.titan-embed-text-v2:0']]);
      expect(calls[0]!.body).toEqual({ inputText: 'alpha beta', dimensions: 256, normalize: true });
      expect(audit()).toMatchObject({ route: 'embeddings', status: 200, inputTokens: 3, messageCount: 2, reservedTokens: 17 });
    });

    test('the SDK\'s default base64 encoding decodes to the same floats', async () => {
      // WHEN (the openai client asks for base64 and decodes it itself)
      const result = await client().embeddings.create({ model: 'titan-embed', input: 'alpha beta', dimensions: 256 });
      // THEN float32 precision of the same vector
      const expected = titanEmbeddingReply({ inputText: 'alpha beta', dimensions: 256 }).embedding;
      expect(result.data[0]!.embedding.map((v) => Math.round(v * 1e5))).toEqual(expected.map((v) => Math.round(Math.fround(v) * 1e5)));
    });
  });

  describe('validation', () => {
    test('fails if the model is a chat model, and a chat request names the embedding model: 400 model_not_supported', async () => {
      await expect(client().embeddings.create({ model: 'nova-lite', input: 'x' })).rejects.toMatchObject({ status: 400, code: 'model_not_supported' });
      await expect(client().chat.completions.create({ model: 'titan-embed', messages: [{ role: 'user', content: 'x' }] }))
        .rejects.toMatchObject({ status: 400, code: 'model_not_supported' });
    });

    test('fails if the input is token ids, or the dimensions are not Titan\'s: 400', async () => {
      await expect(client().embeddings.create({ model: 'titan-embed', input: [[1, 2, 3]] })).rejects.toMatchObject({ status: 400, param: 'input' });
      await expect(client().embeddings.create({ model: 'titan-embed', input: 'x', dimensions: 300 })).rejects.toMatchObject({ status: 400, param: 'dimensions' });
    });

    test('fails if the daily token quota cannot cover the input: 429, and Bedrock is never called', async () => {
      // GIVEN an input larger than the group's whole daily quota (50 tokens)
      const since = server.requests.length;
      // WHEN
      const error = await client().embeddings.create({ model: 'titan-embed', input: 'word '.repeat(20) }).catch((e: unknown) => e);
      // THEN
      expect(error).toMatchObject({ status: 429 });
      expect(server.requests.length).toBe(since);
    });
  });
});
