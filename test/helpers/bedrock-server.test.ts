import {
  AccessDeniedException,
  ApplyGuardrailCommand,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseCommandInput,
  ConverseStreamCommand,
  ConverseStreamOutput,
  InternalServerException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import { BedrockServer, startBedrockServer } from './bedrock-server';

const MODEL_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0';
const GUARDRAIL_ARN = 'arn:aws:bedrock:us-east-1:123456789012:guardrail/abc123def456';
const CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-key' };

/** A client configured the way the gateway's module-scope client is: endpoint from the environment. */
function newClient(options: { maxAttempts?: number; requestTimeout?: number } = {}): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    credentials: CREDENTIALS,
    maxAttempts: options.maxAttempts ?? 1,
    ...(options.requestTimeout === undefined ? {} : { requestHandler: { requestTimeout: options.requestTimeout } }),
  });
}

function converseInput(overrides: Partial<ConverseCommandInput> = {}): ConverseCommandInput {
  return {
    modelId: MODEL_ARN,
    system: [{ text: 'You are a helpful assistant. Canary: c4n4ry-7f3a' }],
    messages: [{ role: 'user', content: [{ text: 'What is the capital of France?' }] }],
    inferenceConfig: { maxTokens: 256 },
    guardrailConfig: { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '3', trace: 'enabled' },
    ...overrides,
  };
}

/** Polls `predicate`; the time limit only bounds a hang, so it is generous for a busy machine. */
async function waitFor(predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('BedrockServer', () => {
  let server: BedrockServer;
  let client: BedrockRuntimeClient;
  const savedEndpoint = process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;

  beforeAll(async () => {
    server = await startBedrockServer();
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = server.url;
    client = newClient();
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME;
    else process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = savedEndpoint;
  });

  beforeEach(() => {
    server.setBehavior({ kind: 'reply' });
    server.requests.length = 0;
  });

  describe('Converse', () => {
    test('the real client completes a call and the request is recorded with decoded ids and no credentials', async () => {
      // WHEN
      const out = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(out.stopReason).toBe('end_turn');
      expect(out.output?.message?.content?.[0]?.text).toBe('Hello from the fake model.');
      expect(out.usage).toEqual({ inputTokens: 12, outputTokens: 7, totalTokens: 19 });
      expect(server.requests).toHaveLength(1);
      const req = server.requests[0]!;
      expect(req).toMatchObject({ method: 'POST', operation: 'Converse', modelId: MODEL_ARN, outcome: 'responded' });
      expect(req.path).toContain('%3A');
      expect(req.body).toMatchObject({
        system: [{ text: expect.stringContaining('c4n4ry-7f3a') }],
        inferenceConfig: { maxTokens: 256 },
        guardrailConfig: { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '3', trace: 'enabled' },
      });
      expect(req.headers['content-type']).toBe('application/json');
      expect(req.headers['x-amz-date']).toBeDefined();
      expect(req.headers.authorization).toBeUndefined();
    });

    test('a configured reply returns its text, stop reason, usage and trace', async () => {
      // GIVEN
      const trace = { guardrail: { inputAssessment: { g1: { contentPolicy: { filters: [] } } } } };
      server.setBehavior({ kind: 'reply', text: 'Paris.', stopReason: 'max_tokens', inputTokens: 100, outputTokens: 256, trace });
      // WHEN
      const out = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(out.output?.message?.content?.[0]?.text).toBe('Paris.');
      expect(out.stopReason).toBe('max_tokens');
      expect(out.usage?.totalTokens).toBe(356);
      expect(out.trace).toEqual(trace);
    });

    test('an input intervention returns the blocked message and the input assessment', async () => {
      // GIVEN
      server.setBehavior({ kind: 'guardrailIntervened', source: 'input', text: 'Blocked input.' });
      // WHEN
      const out = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(out.stopReason).toBe('guardrail_intervened');
      expect(out.output?.message?.content?.[0]?.text).toBe('Blocked input.');
      expect(out.usage?.outputTokens).toBe(0);
      const filter = out.trace?.guardrail?.inputAssessment?.[GUARDRAIL_ARN]?.contentPolicy?.filters?.[0];
      expect(filter).toMatchObject({ type: 'PROMPT_ATTACK', action: 'BLOCKED', detected: true });
      expect(out.trace?.guardrail?.outputAssessments).toBeUndefined();
    });

    test('an output intervention returns the blocked model output and the output assessment', async () => {
      // GIVEN
      server.setBehavior({ kind: 'guardrailIntervened', source: 'output', blockedModelOutput: 'violent text' });
      // WHEN
      const out = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(out.stopReason).toBe('guardrail_intervened');
      expect(out.trace?.guardrail?.outputAssessments?.[GUARDRAIL_ARN]?.[0]?.contentPolicy?.filters?.[0]?.type).toBe('VIOLENCE');
      expect(out.trace?.guardrail?.modelOutput?.[0]).toContain('violent text');
    });

    test('an output intervention can report its assessments with metrics only, or omit them', async () => {
      // GIVEN / WHEN
      server.setBehavior({ kind: 'guardrailIntervened', source: 'output', traceAssessments: 'metricsOnly' });
      const metricsOnly = await client.send(new ConverseCommand(converseInput()));
      server.setBehavior({ kind: 'guardrailIntervened', source: 'output', traceAssessments: 'omitted', outputTokens: 0 });
      const omitted = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(metricsOnly.trace?.guardrail?.outputAssessments?.[GUARDRAIL_ARN]?.[0]).toEqual({ invocationMetrics: expect.any(Object) });
      expect(metricsOnly.trace?.guardrail?.inputAssessment?.[GUARDRAIL_ARN]).toEqual({ invocationMetrics: expect.any(Object) });
      expect(metricsOnly.usage?.outputTokens).toBe(7);
      expect(omitted.stopReason).toBe('guardrail_intervened');
      expect(omitted.trace?.guardrail).toEqual({ modelOutput: expect.any(Array), actionReason: 'Guardrail blocked.' });
      expect(omitted.usage?.outputTokens).toBe(0);
    });

    test('like Bedrock, an intervention carries no trace unless the request enabled it', async () => {
      // GIVEN
      server.setBehavior({ kind: 'guardrailIntervened', source: 'input' });
      // WHEN
      const out = await client.send(
        new ConverseCommand(converseInput({ guardrailConfig: { guardrailIdentifier: GUARDRAIL_ARN, guardrailVersion: '3' } })),
      );
      // THEN
      expect(out.stopReason).toBe('guardrail_intervened');
      expect(out.trace).toBeUndefined();
    });

    test('echo mode leaks the system prompt back, for leakage tests', async () => {
      // GIVEN
      server.setBehavior({ kind: 'echo' });
      // WHEN
      const out = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(out.output?.message?.content?.[0]?.text).toBe('You are a helpful assistant. Canary: c4n4ry-7f3a\nWhat is the capital of France?');
    });

    test('echo mode renders with a custom function', async () => {
      server.setBehavior({ kind: 'echo', render: (body) => `system has ${body.system?.length ?? 0} block(s)` });
      const out = await client.send(new ConverseCommand(converseInput()));
      expect(out.output?.message?.content?.[0]?.text).toBe('system has 1 block(s)');
    });
  });

  describe('ApplyGuardrail', () => {
    test('NONE passes the content and the request is recorded with decoded identifier and version', async () => {
      // WHEN
      const out = await client.send(
        new ApplyGuardrailCommand({
          guardrailIdentifier: GUARDRAIL_ARN,
          guardrailVersion: '3',
          source: 'INPUT',
          content: [{ text: { text: 'tool result text' } }],
        }),
      );
      // THEN
      expect(out.action).toBe('NONE');
      expect(out.outputs).toEqual([]);
      expect(out.usage?.contentPolicyUnits).toBe(1);
      expect(server.requests[0]).toMatchObject({
        operation: 'ApplyGuardrail',
        guardrailIdentifier: GUARDRAIL_ARN,
        guardrailVersion: '3',
        body: { source: 'INPUT', content: [{ text: { text: 'tool result text' } }] },
      });
    });

    test('GUARDRAIL_INTERVENED returns outputs and assessments', async () => {
      // GIVEN
      server.setBehavior({ kind: 'applyGuardrail', action: 'GUARDRAIL_INTERVENED', outputs: ['[REDACTED]'], actionReason: 'Guardrail blocked.' });
      // WHEN
      const out = await client.send(
        new ApplyGuardrailCommand({ guardrailIdentifier: 'gr1', guardrailVersion: '1', source: 'OUTPUT', content: [{ text: { text: 'x' } }] }),
      );
      // THEN
      expect(out.action).toBe('GUARDRAIL_INTERVENED');
      expect(out.actionReason).toBe('Guardrail blocked.');
      expect(out.outputs).toEqual([{ text: '[REDACTED]' }]);
      expect(out.assessments?.[0]?.contentPolicy?.filters?.[0]?.type).toBe('PROMPT_ATTACK');
    });

    test('byRoute lets Converse answer while ApplyGuardrail intervenes', async () => {
      // GIVEN
      server.setBehavior({ kind: 'byRoute', converse: { kind: 'reply', text: 'fine' }, applyGuardrail: { kind: 'applyGuardrail', action: 'GUARDRAIL_INTERVENED' } });
      // WHEN
      const apply = await client.send(
        new ApplyGuardrailCommand({ guardrailIdentifier: 'gr1', guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] }),
      );
      const converse = await client.send(new ConverseCommand(converseInput()));
      // THEN
      expect(apply.action).toBe('GUARDRAIL_INTERVENED');
      expect(converse.output?.message?.content?.[0]?.text).toBe('fine');
    });
  });

  describe('errors', () => {
    test.each([
      ['ThrottlingException', 429, ThrottlingException],
      ['ServiceUnavailableException', 503, ServiceUnavailableException],
      ['InternalServerException', 500, InternalServerException],
      ['ValidationException', 400, ValidationException],
      ['AccessDeniedException', 403, AccessDeniedException],
    ] as const)('%s reaches the client as its typed exception with status %i', async (type, status, ctor) => {
      // GIVEN
      server.setBehavior({ kind: 'error', type, message: `fake ${type} message` });
      // WHEN
      const err: unknown = await client.send(new ConverseCommand(converseInput())).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(ctor);
      expect(err).toMatchObject({ name: type, message: `fake ${type} message`, $metadata: { httpStatusCode: status, attempts: 1 } });
    });

    test('ApplyGuardrail errors are typed too', async () => {
      server.setBehavior({ kind: 'error', type: 'AccessDeniedException' });
      const call = client.send(
        new ApplyGuardrailCommand({ guardrailIdentifier: 'gr1', guardrailVersion: '1', source: 'INPUT', content: [{ text: { text: 'x' } }] }),
      );
      await expect(call).rejects.toBeInstanceOf(AccessDeniedException);
    });

    test('a malformed JSON body fails the call instead of hanging', async () => {
      // GIVEN
      server.setBehavior({ kind: 'malformed' });
      // WHEN
      const err: unknown = await client.send(new ConverseCommand(converseInput())).catch((e: unknown) => e);
      // THEN
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ThrottlingException);
      expect(server.requests[0]?.outcome).toBe('responded');
    });

    test('a sequence throttles the first calls, then the SDK retry succeeds', async () => {
      // GIVEN
      const retrying = newClient({ maxAttempts: 3 });
      server.setBehavior({ kind: 'sequence', steps: [{ kind: 'error', type: 'ThrottlingException' }, { kind: 'error', type: 'ThrottlingException' }, { kind: 'reply', text: 'third time lucky' }] });
      try {
        // WHEN
        const out = await retrying.send(new ConverseCommand(converseInput()));
        // THEN
        expect(out.output?.message?.content?.[0]?.text).toBe('third time lucky');
        expect(out.$metadata.attempts).toBe(3);
        expect(server.requests).toHaveLength(3);
      } finally {
        retrying.destroy();
      }
    });

    test('setBehavior restarts a sequence', async () => {
      const sequence = { kind: 'sequence', steps: [{ kind: 'error', type: 'ThrottlingException' }, { kind: 'reply' }] } as const;
      server.setBehavior(sequence);
      await expect(client.send(new ConverseCommand(converseInput()))).rejects.toBeInstanceOf(ThrottlingException);
      await expect(client.send(new ConverseCommand(converseInput()))).resolves.toBeDefined();
      server.setBehavior(sequence);
      await expect(client.send(new ConverseCommand(converseInput()))).rejects.toBeInstanceOf(ThrottlingException);
    });
  });

  describe('slow responses', () => {
    test('a slow reply is held, then completes', async () => {
      // GIVEN
      server.setBehavior({ kind: 'slow', delayMs: 300, then: { kind: 'reply', text: 'late' } });
      const since = server.requests.length;
      // WHEN
      const call = client.send(new ConverseCommand(converseInput()));
      await waitFor(() => server.requests.length > since);
      // THEN the server holds the reply: its timer expires after the poll timer that saw the request, however late
      // both run on a busy machine
      expect(server.requests[since]?.outcome).toBe('pending');
      const out = await call;
      expect(out.output?.message?.content?.[0]?.text).toBe('late');
      expect(server.requests[since]?.outcome).toBe('responded');
    });

    test('an abortSignal ends the call early and the server sees the abort', async () => {
      // GIVEN
      // GIVEN a server that never answers (its delay outlasts the test timeout: only the abort can end the call)
      server.setBehavior({ kind: 'slow', delayMs: 3_600_000 });
      // WHEN
      const err: unknown = await client
        .send(new ConverseCommand(converseInput()), { abortSignal: AbortSignal.timeout(200) })
        .catch((e: unknown) => e);
      // THEN
      expect(err).toMatchObject({ name: 'AbortError' });
      await waitFor(() => server.requests[0]?.outcome === 'aborted');
    });

    test('a requestTimeout ends the call early', async () => {
      // GIVEN
      // GIVEN a server that never answers (only the request timeout can end the call)
      const impatient = newClient({ requestTimeout: 200 });
      server.setBehavior({ kind: 'slow', delayMs: 3_600_000 });
      try {
        // WHEN
        const err: unknown = await impatient.send(new ConverseCommand(converseInput())).catch((e: unknown) => e);
        // THEN
        expect(err).toMatchObject({ name: 'TimeoutError' });
      } finally {
        impatient.destroy();
      }
    });
  });

  describe('ConverseStream', () => {
    /** Sends ConverseStream and collects every event; a failure after the first event is returned with them. */
    async function streamAll(signal?: AbortSignal, onEvent?: (event: ConverseStreamOutput) => void): Promise<{ events: ConverseStreamOutput[]; error?: unknown }> {
      const events: ConverseStreamOutput[] = [];
      try {
        const out = await client.send(new ConverseStreamCommand(converseInput()), { abortSignal: signal });
        for await (const event of out.stream!) {
          events.push(event);
          onEvent?.(event);
        }
        return { events };
      } catch (error) {
        return { events, error };
      }
    }
    const textOf = (events: ConverseStreamOutput[]): string => events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');

    test('the real client reads the chunks in event-stream framing, then the stop reason and usage', async () => {
      server.setBehavior({ kind: 'stream', chunks: ['Hel', 'lo, ', 'world.'], outputTokens: 3 });
      const { events, error } = await streamAll();
      expect(error).toBeUndefined();
      expect(events.map((e) => Object.keys(e)[0])).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);
      expect(textOf(events)).toBe('Hello, world.');
      expect(events.at(-2)?.messageStop?.stopReason).toBe('end_turn');
      expect(events.at(-1)?.metadata?.usage).toEqual({ inputTokens: 12, outputTokens: 3, totalTokens: 15 });
      expect(server.requests[0]).toMatchObject({ operation: 'ConverseStream', modelId: MODEL_ARN });
    });

    test('any other behaviour streams the reply Converse would give, and Converse joins a stream\'s chunks', async () => {
      server.setBehavior({ kind: 'reply', text: 'A reply longer than one chunk of sixteen characters.' });
      expect(textOf((await streamAll()).events)).toBe('A reply longer than one chunk of sixteen characters.');
      server.setBehavior({ kind: 'stream', chunks: ['Hel', 'lo'] });
      const out = await client.send(new ConverseCommand(converseInput()));
      expect(out.output?.message?.content?.[0]?.text).toBe('Hello');
    });

    test('a tool call streams its input in pieces', async () => {
      server.setBehavior({ kind: 'toolUse', name: 'get_weather', input: { city: 'Paris' } });
      const { events } = await streamAll();
      expect(events.find((e) => e.contentBlockStart)?.contentBlockStart?.start?.toolUse).toMatchObject({ name: 'get_weather' });
      const input = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
      expect(JSON.parse(input)).toEqual({ city: 'Paris' });
      expect(events.find((e) => e.messageStop)?.messageStop?.stopReason).toBe('tool_use');
    });

    test('an exception mid-stream reaches the client as a typed error after the chunks before it', async () => {
      server.setBehavior({ kind: 'stream', chunks: ['one ', 'two ', 'three'], exceptionAfter: { chunks: 2, type: 'modelStreamErrorException' } });
      const { events, error } = await streamAll();
      expect(textOf(events)).toBe('one two ');
      expect(error).toMatchObject({ name: 'ModelStreamErrorException' });
    });

    test('a stream cut mid-way ends the read after the chunks before it, with no messageStop or metadata and no error', async () => {
      // The SDK ends the iteration quietly on an HTTP/2 reset: a reader must notice the missing messageStop itself.
      server.setBehavior({ kind: 'stream', chunks: ['one ', 'two ', 'three'], cutAfter: 1 });
      const { events, error } = await streamAll();
      expect(textOf(events)).toBe('one ');
      expect(events.some((e) => e.messageStop !== undefined || e.metadata !== undefined)).toBe(false);
      expect(error === undefined || error instanceof Error).toBe(true);
    });

    test('a hanging stream is ended by the client\'s abort signal', async () => {
      server.setBehavior({ kind: 'stream', chunks: ['one ', 'two'], hangAfter: 1 });
      // The client aborts once it has read the first chunk (not when the server sent it: reading may lag on a busy machine).
      const controller = new AbortController();
      const { events } = await streamAll(controller.signal, (event) => {
        if (event.contentBlockDelta !== undefined) controller.abort();
      });
      expect(textOf(events)).toBe('one ');
      expect(events.some((e) => e.messageStop !== undefined)).toBe(false);
    });

    test('a malformed frame fails the read instead of hanging', async () => {
      server.setBehavior({ kind: 'malformed' });
      const { error } = await streamAll();
      expect(error).toBeInstanceOf(Error);
    });
  });

  describe('close', () => {
    test('ends pending slow responses and stops listening', async () => {
      // GIVEN
      const own = await startBedrockServer();
      own.setBehavior({ kind: 'slow', delayMs: 3_600_000 }); // never answers: only close can end the call
      const ownClient = new BedrockRuntimeClient({ region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1, endpoint: own.url });
      const pending = ownClient.send(new ConverseCommand(converseInput())).catch((e: unknown) => e);
      await waitFor(() => own.requests.length === 1);
      try {
        // WHEN
        await own.close();
        // THEN
        expect(await pending).toBeInstanceOf(Error);
        expect(own.requests[0]?.outcome).toBe('aborted');
        await expect(ownClient.send(new ConverseCommand(converseInput()))).rejects.toThrow();
      } finally {
        ownClient.destroy();
      }
    });
  });
});
