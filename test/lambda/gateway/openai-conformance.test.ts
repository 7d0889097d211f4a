/**
 * The README's "Calling the gateway" section, checked parameter by parameter with the official `openai` client (v6)
 * over loopback: the gateway's streaming entry point (as in Lambda) behind the Lambda HTTP adapter, in front of the
 * fake Bedrock server, which records what the gateway sent. Complements `openai-client.test.ts`,
 * `openai-client.features.test.ts` and `openai-stream.test.ts`: what they already check is not repeated here.
 *
 * `validation` holds the mismatches session 15 found (each test names the README statement or OpenAI behaviour it
 * checks); `defaults` and `sdk helpers` pin down what was verified to work as documented.
 */
import OpenAI, { BadRequestError } from 'openai';
import { zodFunction, zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import { createStreamingHandler } from '../../../lambda/gateway/index';
import { streamifyResponse } from '../../../lambda/gateway/response-stream';
import { BedrockServer, ConverseRequestBody, RecordedRequest, startBedrockServer, titanEmbeddingReply } from '../../helpers/bedrock-server';
import { fakeCredentials } from '../../helpers/dynalite';
import { LambdaHttpAdapter, startLambdaHttpAdapter, userContext } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG } from './gateway-fixtures';

interface SentConverse extends ConverseRequestBody {
  readonly inferenceConfig?: Record<string, unknown>;
  readonly toolConfig?: { readonly tools: ReadonlyArray<{ readonly toolSpec: { readonly name: string } }>; readonly toolChoice: unknown };
}

const MESSAGES: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'What is the weather in Paris?' }];
const WEATHER_PARAMETERS = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
const WEATHER_TOOL: OpenAI.ChatCompletionTool = { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMETERS } };

describe('the README\'s API section through the openai client', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  let adapter: LambdaHttpAdapter;
  const client = () => new OpenAI({ baseURL: `${adapter.url}/v1`, apiKey: 'key-conform', maxRetries: 0, timeout: 60_000 }); // the timeout bounds a hang only
  const modelCalls = (since: number): RecordedRequest[] => server.requests.slice(since).filter((r) => r.operation === 'Converse' || r.operation === 'ConverseStream');
  const lastSent = (): SentConverse => server.requests.filter((r) => r.operation === 'Converse' || r.operation === 'ConverseStream').at(-1)!.body as SentConverse;
  const chat = (body: Record<string, unknown>) => client().chat.completions.create({ model: 'nova-lite', messages: MESSAGES, ...body } as OpenAI.ChatCompletionCreateParamsNonStreaming);

  beforeAll(async () => {
    stdout.start();
    server = await startBedrockServer();
    const handler = streamifyResponse(createStreamingHandler({
      config: {
        ...TEST_CONFIG,
        quotasEnabled: false,
        models: { ...TEST_CONFIG.models, 'titan-embed': { modelId: 'amazon.titan-embed-text-v2:0', maxOutputTokens: 1, kind: 'embedding' } },
        groups: { ...TEST_CONFIG.groups, conform: { models: ['nova-lite', 'titan-embed'], dailyTokenQuota: 100_000, maxOutputTokens: 800 } },
      },
      bedrock: newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() }),
      auditor: new Auditor(newLogger(), newMetrics()),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    }));
    adapter = await startLambdaHttpAdapter(handler, { claimsFor: () => userContext('conform-user', 'conform') });
  });

  afterAll(async () => {
    stdout.stop();
    await Promise.all([adapter?.close(), server?.close()]);
  });

  beforeEach(() => server.setBehavior({ kind: 'reply', text: 'Sunny.' }));

  describe('validation', () => {
    // README: `temperature` is a supported parameter, and the gateway gives "never a silently different answer".
    // OpenAI's range is 0-2; the Bedrock models take 0-1. The gateway used to accept 1.5 and send Bedrock 1
    // (converse-request.ts: `Math.min(req.temperature, 1)`), an answer other than the one asked for, without a word.
    test('fails if a temperature above 1 is lowered without notice instead of refused', async () => {
      // GIVEN
      const since = server.requests.length;
      // WHEN
      const error = await chat({ temperature: 1.5 }).catch((e: unknown) => e);
      // THEN
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, type: 'invalid_request_error', code: 'unsupported_value', param: 'temperature' });
      expect(modelCalls(since)).toEqual([]);
    });

    // README: "refused whatever their value: ... `functions`/`function_call` (use `tools`)" and "never a silently
    // different answer". The same legacy function call in the assistant history (`messages[i].function_call`) was
    // dropped by the message schema, so the model never saw it, without a word.
    test('fails if a legacy function_call in the assistant history is dropped without a word', async () => {
      // GIVEN
      const since = server.requests.length;
      const messages = [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { role: 'user', content: 'And now?' },
      ];
      // WHEN
      const error = await chat({ messages }).catch((e: unknown) => e);
      // THEN
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error).toMatchObject({ status: 400, code: 'unsupported_parameter', param: 'messages[1].function_call' });
      expect(modelCalls(since)).toEqual([]);
    });

    test('a null function_call is "not given", as for top-level parameters', async () => {
      // WHEN
      const completion = await chat({ messages: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello.', function_call: null }, { role: 'user', content: 'Weather?' }] });
      // THEN
      expect(completion.choices[0]!.message.content).toBe('Sunny.');
    });

    // README: `unknown_parameter` is "for a parameter OpenAI's API does not have". `prompt_cache_retention` is one of
    // OpenAI's chat completion parameters (in the v6 SDK's types); like `prompt_cache_key` it only tells OpenAI how
    // long to keep a cached prefix and does not change the answer, so it is accepted and ignored as that one is.
    test('fails if prompt_cache_retention, an OpenAI parameter, is refused as a parameter OpenAI does not have', async () => {
      // WHEN
      const completion = await chat({ prompt_cache_key: 'team-a', prompt_cache_retention: '24h' });
      // THEN
      expect(completion.choices[0]!.message.content).toBe('Sunny.');
      expect(JSON.stringify(lastSent())).not.toContain('24h');
    });
  });

  describe('defaults', () => {
    test('sampling parameters reach Converse as documented: max_completion_tokens over max_tokens, the cap, top_p, stop', async () => {
      // WHEN
      await chat({ max_tokens: 50, max_completion_tokens: 70, temperature: 0.2, top_p: 0.3, stop: 'END' });
      const first = lastSent().inferenceConfig;
      await chat({ max_tokens: 100_000, stop: ['A', 'B'] });
      const second = lastSent().inferenceConfig;
      // THEN (the group's maxOutputTokens is 800)
      expect(first).toEqual({ maxTokens: 70, temperature: 0.2, topP: 0.3, stopSequences: ['END'] });
      expect(second).toEqual({ maxTokens: 800, stopSequences: ['A', 'B'] });
    });

    test.each([
      ['auto', undefined, { auto: {} }],
      ['required', 'required', { any: {} }],
      ['a named function', { type: 'function', function: { name: 'get_weather' } }, { tool: { name: 'get_weather' } }],
    ])('tool_choice %s maps to Converse toolChoice', async (_what, toolChoice, expected) => {
      // WHEN
      await chat({ tools: [WEATHER_TOOL], ...(toolChoice === undefined ? {} : { tool_choice: toolChoice }) });
      // THEN
      expect(lastSent().toolConfig).toEqual({
        tools: [{ toolSpec: { name: 'get_weather', description: 'Current weather', inputSchema: { json: WEATHER_PARAMETERS } } }],
        toolChoice: expected,
      });
    });

    test('tool_choice none sends no tools to Converse', async () => {
      await chat({ tools: [WEATHER_TOOL], tool_choice: 'none' });
      expect(lastSent().toolConfig).toBeUndefined();
    });

    test.each([
      ['seed', 1],
      ['metadata', { run: 'x' }],
      ['parallel_tool_calls', false],
      ['logprobs', true],
      ['presence_penalty', 0.5],
      ['store', true],
      ['service_tier', 'flex'],
      ['modalities', ['text', 'audio']],
      ['reasoning_effort', 'low'],
      ['verbosity', 'low'],
      ['functions', [{ name: 'f', parameters: {} }]],
    ])('fails if %s is set to a value that would change the answer: 400 unsupported_parameter naming it', async (name, value) => {
      await expect(chat({ [name]: value })).rejects.toMatchObject({ status: 400, type: 'invalid_request_error', code: 'unsupported_parameter', param: name });
    });

    test('neutral values of the unimplemented parameters, user and the identifiers are accepted', async () => {
      const completion = await chat({
        presence_penalty: 0, frequency_penalty: 0, logprobs: false, top_logprobs: 0, logit_bias: {}, parallel_tool_calls: true,
        service_tier: 'auto', modalities: ['text'], store: false, n: 1, user: 'u-1', safety_identifier: 'h-1', seed: null,
      });
      expect(completion.choices[0]!.finish_reason).toBe('stop');
    });

    test('a participant name on a message is accepted and ignored, as the README says: it never reaches Converse', async () => {
      // WHEN
      await chat({ messages: [{ role: 'user', content: 'Hi, I am on call.', name: 'oncall_bot' }] });
      // THEN
      expect(JSON.stringify(lastSent())).not.toContain('oncall_bot');
    });

    test('fails if a parameter is not OpenAI\'s (Bedrock\'s guardrailConfig): 400 unknown_parameter', async () => {
      await expect(chat({ guardrailConfig: { guardrailIdentifier: 'other' } })).rejects.toMatchObject({ status: 400, code: 'unknown_parameter', param: 'guardrailConfig' });
    });

    test('a completion has OpenAI\'s shape; an answer cut by the token limit is finish_reason length', async () => {
      // GIVEN
      server.setBehavior({ kind: 'reply', text: 'Sunny and', stopReason: 'max_tokens' });
      // WHEN
      const completion = await chat({ max_tokens: 3 });
      // THEN
      expect(completion).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: expect.any(Number),
        model: 'nova-lite',
        choices: [{ index: 0, message: { role: 'assistant', content: 'Sunny and', refusal: null }, logprobs: null, finish_reason: 'length' }],
        usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
      });
    });

    test('embeddings: base64 is the vector as little-endian float32, as OpenAI encodes it; dimensions reach Titan', async () => {
      // WHEN
      const result = await client().embeddings.create({ model: 'titan-embed', input: 'alpha beta', encoding_format: 'base64', dimensions: 512 });
      // THEN
      const bytes = Buffer.from(result.data[0]!.embedding as unknown as string, 'base64');
      const floats = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
      expect(floats).toEqual(titanEmbeddingReply({ inputText: 'alpha beta', dimensions: 512 }).embedding.map((v) => Math.fround(v)));
      expect(server.requests.at(-1)!.body).toEqual({ inputText: 'alpha beta', dimensions: 512, normalize: true });
    });
  });

  describe('sdk helpers', () => {
    test('chat.completions.stream: content events and finalChatCompletion, with the include_usage chunk', async () => {
      // GIVEN
      server.setBehavior({ kind: 'reply', text: 'Sunny in Paris, 21 degrees. '.repeat(3) });
      // WHEN
      const runner = client().chat.completions.stream({ model: 'nova-lite', messages: MESSAGES, stream_options: { include_usage: true } });
      let streamed = '';
      runner.on('content', (delta) => {
        streamed += delta;
      });
      const final = await runner.finalChatCompletion();
      // THEN
      expect(final.choices[0]!.message.content).toBe('Sunny in Paris, 21 degrees. '.repeat(3));
      expect(streamed).toBe(final.choices[0]!.message.content);
      expect(final.choices[0]!.finish_reason).toBe('stop');
      expect(final.usage).toEqual({ prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 });
    });

    test('chat.completions.stream assembles a streamed tool call into a valid one', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' } });
      // WHEN
      const final = await client().chat.completions.stream({ model: 'nova-lite', messages: MESSAGES, tools: [WEATHER_TOOL] }).finalChatCompletion();
      // THEN
      expect(final.choices[0]!.finish_reason).toBe('tool_calls');
      expect(final.choices[0]!.message.tool_calls).toEqual([{ id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    });

    test('chat.completions.runTools: the tool result goes back as spotlighted guard content and the model answers', async () => {
      // GIVEN the model calls the tool, then answers
      server.setBehavior({ kind: 'byRoute', converse: { kind: 'sequence', steps: [{ kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' } }, { kind: 'reply', text: 'It is sunny in Paris.' }] } });
      const since = server.requests.length;
      // WHEN
      const runner = client().chat.completions.runTools({
        model: 'nova-lite',
        messages: MESSAGES,
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: WEATHER_PARAMETERS, parse: JSON.parse, function: (args: { city: string }) => `sunny in ${args.city}` } }],
      });
      // THEN
      expect(await runner.finalContent()).toBe('It is sunny in Paris.');
      const calls = modelCalls(since);
      expect(calls).toHaveLength(2);
      const followUp = JSON.stringify((calls[1]!.body as SentConverse).messages);
      expect(followUp).toContain('[called tool get_weather (id tooluse_1)');
      expect(followUp).toContain('untrusted_content source=\\"tool get_weather result tooluse_1\\"');
    });

    test('chat.completions.parse with zodResponseFormat and zodFunction', async () => {
      // GIVEN
      server.setBehavior({ kind: 'toolUse', name: 'weather', input: { city: 'Paris', celsius: 21, kind: 'sunny', note: null } });
      const Weather = z.object({ city: z.string(), celsius: z.number().int(), kind: z.enum(['sunny', 'rain']), note: z.string().nullable() });
      // WHEN
      const structured = await client().chat.completions.parse({ model: 'nova-lite', messages: MESSAGES, response_format: zodResponseFormat(Weather, 'weather') });
      server.setBehavior({ kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' } });
      const called = await client().chat.completions.parse({
        model: 'nova-lite',
        messages: MESSAGES,
        tools: [zodFunction({ name: 'get_weather', parameters: z.object({ city: z.string() }) })],
      });
      // THEN
      expect(structured.choices[0]!.message.parsed).toEqual({ city: 'Paris', celsius: 21, kind: 'sunny', note: null });
      expect(called.choices[0]!.message.tool_calls?.[0]?.function.parsed_arguments).toEqual({ city: 'Paris' });
    });
  });
});
