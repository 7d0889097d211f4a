import * as fc from 'fast-check';
import { BadRequestError, GatewayError, RequestTooLargeError } from '../../../lambda/gateway/errors';
import { JSON_OBJECT_TOOL_NAME, MAX_TOOLS, RequestLimits, formatParam, parseChatRequest } from '../../../lambda/gateway/request';
import { tinyPng } from '../../helpers/png';

const LIMITS = { maxMessages: 8, maxMessageChars: 100, maxImages: 4 };

function parseError(body: unknown, limits: RequestLimits = LIMITS): GatewayError {
  try {
    parseChatRequest(body, limits);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected parseChatRequest to throw');
}

describe('parseChatRequest', () => {
  describe('defaults', () => {
    test('parses a minimal request and flattens text parts', () => {
      // GIVEN
      const body = {
        model: 'nova-lite',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'there' }] },
        ],
      };
      // WHEN
      const req = parseChatRequest(body, LIMITS);
      // THEN
      expect(req).toEqual({
        model: 'nova-lite',
        messages: [
          { role: 'system', text: 'Be brief.' },
          { role: 'user', text: 'Hello\nthere' },
        ],
        stop: [],
        tools: [],
        toolChoice: 'auto',
      });
    });

    test('max_completion_tokens wins over max_tokens; null means absent; developer is system', () => {
      // GIVEN
      const body = {
        model: 'm',
        max_tokens: 500,
        max_completion_tokens: 200,
        temperature: null,
        top_p: 0.5,
        stop: 'END',
        messages: [{ role: 'developer', content: 'x' }, { role: 'user', content: 'y' }],
      };
      // WHEN
      const req = parseChatRequest(body, LIMITS);
      // THEN
      expect(req.maxTokens).toBe(200);
      expect(req).not.toHaveProperty('temperature');
      expect(req.topP).toBe(0.5);
      expect(req.stop).toEqual(['END']);
      expect(req.messages[0]).toEqual({ role: 'system', text: 'x' });
    });

    test('parameters the gateway does not implement are accepted at the values that change nothing', () => {
      // GIVEN what SDKs and frameworks send by default
      const body = {
        model: 'm',
        messages: [{ role: 'user', content: 'hi', name: 'bob' }],
        presence_penalty: 0,
        frequency_penalty: 0,
        logprobs: false,
        top_logprobs: null,
        logit_bias: {},
        seed: null,
        response_format: { type: 'text' },
        parallel_tool_calls: true,
        stream: false,
        store: false,
        safety_identifier: 'user-hash-1',
        prompt_cache_key: 'team-a',
        prompt_cache_retention: '24h',
        n: 1,
      };
      // WHEN
      const req = parseChatRequest(body, LIMITS);
      // THEN
      expect(Object.keys(req).sort()).toEqual(['messages', 'model', 'stop', 'toolChoice', 'tools']);
    });

    test('tools, tool calls in history and tool results', () => {
      // GIVEN
      const body = {
        model: 'm',
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'Sunny' },
        ],
      };
      // WHEN
      const req = parseChatRequest(body, LIMITS);
      // THEN
      expect(req.toolChoice).toEqual({ name: 'get_weather' });
      expect(req.tools[0]).toMatchObject({ name: 'get_weather', description: 'Weather' });
      expect(req.messages[1]).toEqual({ role: 'assistant', text: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
      expect(req.messages[2]).toEqual({ role: 'tool', text: 'Sunny', toolCallId: 'call_1' });
    });

    test('stream: true with include_usage asks for server-sent events and a usage chunk', () => {
      // GIVEN
      const body = { model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] };
      // WHEN
      const req = parseChatRequest(body, LIMITS);
      // THEN
      expect(req.stream).toBe(true);
      expect(req.includeUsage).toBe(true);
      expect(parseChatRequest({ ...body, stream_options: null }, LIMITS).includeUsage).toBeUndefined();
    });
  });

  describe('response_format', () => {
    const user = [{ role: 'user', content: 'x' }];

    test('json_object becomes a forced-tool format with an object schema', () => {
      const req = parseChatRequest({ model: 'm', messages: user, response_format: { type: 'json_object' } }, LIMITS);
      expect(req.responseFormat).toEqual({ type: 'json_object', name: JSON_OBJECT_TOOL_NAME, schema: { type: 'object' } });
    });

    test('json_schema keeps the name, description and schema', () => {
      const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
      const req = parseChatRequest(
        { model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'place', description: 'A place', schema, strict: true } } },
        LIMITS,
      );
      expect(req.responseFormat).toEqual({ type: 'json_schema', name: 'place', description: 'A place', schema });
    });

    test('text means no structured output', () => {
      const req = parseChatRequest({ model: 'm', messages: user, response_format: { type: 'text' } }, LIMITS);
      expect(req.responseFormat).toBeUndefined();
    });

    test('fails if the schema uses a keyword the gateway cannot evaluate: 400 naming response_format.json_schema.schema', () => {
      const err = parseError({
        model: 'm', messages: user,
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object', properties: { a: { $ref: '#/defs/a' } } } } },
      });
      expect(err).toMatchObject({ param: 'response_format.json_schema.schema' });
      expect(err.message).toMatch(/unsupported JSON Schema keyword "\$ref"/);
    });

    test('fails if the schema root is not an object', () => {
      const err = parseError({ model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'array' } } } });
      expect(err).toMatchObject({ param: 'response_format.json_schema.schema' });
    });

    test('fails if the schema name is not a tool name', () => {
      const err = parseError({ model: 'm', messages: user, response_format: { type: 'json_schema', json_schema: { name: 'a b', schema: { type: 'object' } } } });
      expect(err.param).toBe('response_format.json_schema.name');
    });

    test('fails if response_format is combined with tools: 400 unsupported_parameter naming response_format', () => {
      const err = parseError({
        model: 'm', messages: user, response_format: { type: 'json_object' },
        tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      });
      expect(err).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
    });

    test('fails if the type is unknown', () => {
      const err = parseError({ model: 'm', messages: user, response_format: { type: 'xml' } });
      expect(err.param).toBe('response_format');
    });
  });

  describe('validation', () => {
    test('fails if stream_options is sent without stream: true', () => {
      const err = parseError({ model: 'm', stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'x' }] });
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.param).toBe('stream_options');
    });

    test('fails if stream_options holds a key other than include_usage', () => {
      const err = parseError({ model: 'm', stream: true, stream_options: { include_obfuscation: true }, messages: [{ role: 'user', content: 'x' }] });
      expect(err).toBeInstanceOf(BadRequestError);
      expect(err.param).toBe('stream_options');
    });

    test.each([
      ['presence_penalty', 1],
      ['frequency_penalty', -0.5],
      ['logprobs', true],
      ['top_logprobs', 5],
      ['logit_bias', { '50256': -100 }],
      ['seed', 42],
      ['parallel_tool_calls', false],
      ['reasoning_effort', 'high'],
      ['functions', [{ name: 'f' }]],
      ['audio', { voice: 'alloy' }],
      ['metadata', { k: 'v' }],
    ])('fails if %s is set to a value the gateway would silently ignore (%j): 400 unsupported_parameter naming it', (name, value) => {
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: 'x' }], [name]: value });
      expect(err).toMatchObject({ code: 'unsupported_parameter', param: name });
      expect(err.message).toMatch(new RegExp(`^${name} is not supported`));
    });

    test.each([['guardrailConfig', { guardrailIdentifier: 'none' }], ['system', [{ text: 'override' }]], ['temprature', 0.2]])(
      'fails if the request carries %s, which OpenAI\'s API does not have: 400 unknown_parameter',
      (name, value) => {
        expect(parseError({ model: 'm', messages: [{ role: 'user', content: 'x' }], [name]: value })).toMatchObject({ code: 'unknown_parameter', param: name });
      },
    );

    test('fails if structured output is asked for with stream: true: 400 unsupported_parameter naming response_format', () => {
      const err = parseError({ model: 'm', stream: true, response_format: { type: 'json_object' }, messages: [{ role: 'user', content: 'x' }] });
      expect(err).toMatchObject({ code: 'unsupported_parameter', param: 'response_format' });
    });

    test('fails if the body is not an object', () => {
      for (const body of [null, 3, 'x', [], true]) {
        expect(parseError(body)).toBeInstanceOf(BadRequestError);
      }
    });

    test('fails if model is missing, naming the param', () => {
      const err = parseError({ messages: [{ role: 'user', content: 'x' }] });
      expect(err.param).toBe('model');
      expect(err.statusCode).toBe(400);
    });

    test('fails if messages is empty', () => {
      expect(parseError({ model: 'm', messages: [] }).message).toMatch(/must not be empty/);
    });

    test('fails if a role is unknown, listing the roles', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'wizard', content: 'x' }] });
      expect(err.message).toMatch(/role must be one of system, developer, user, assistant, tool/);
      expect(err.param).toBe('messages[0].role');
    });

    test('fails if a content part is neither text nor image_url', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'x' } }] }] });
      expect(err.message).toMatch(/only text and image_url content parts are supported/);
      expect(err.param).toBe('messages[0].content[0].type');
    });

    test('fails if a text part has no string text, naming the part', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'ok' }, { type: 'text', text: 42 }] }] });
      expect(err.message).toMatch(/a text part needs a string text/);
      expect(err.param).toBe('messages[0].content[1].text');
    });

    test('fails if an image is not a data URL, or sits in a non-user message', () => {
      expect(parseError({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }).param)
        .toBe('messages[0].content[0].image_url.url');
      const png = `data:image/png;base64,${tinyPng().toString('base64')}`;
      expect(parseError({ model: 'm', messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: png } }] }, { role: 'user', content: 'x' }] }).param)
        .toBe('messages[0].content[0]');
    });

    test('fails if images are off (the default): 400 unsupported_parameter naming the part', () => {
      const png = { type: 'image_url', image_url: { url: `data:image/png;base64,${tinyPng().toString('base64')}` } };
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, png] }] }, { maxMessages: 8, maxMessageChars: 100 });
      expect(err).toMatchObject({ code: 'unsupported_parameter', param: 'messages[0].content[1]' });
    });

    test('fails if the request carries more images than the limit: 413', () => {
      const png = { type: 'image_url', image_url: { url: `data:image/png;base64,${tinyPng().toString('base64')}` } };
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: [png, png] }] }, { ...LIMITS, maxImages: 1 });
      expect(err).toBeInstanceOf(RequestTooLargeError);
    });

    test('images of user messages are decoded beside the joined text', () => {
      const png = tinyPng();
      const req = parseChatRequest({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }, { type: 'text', text: 'b' }] }] }, LIMITS);
      expect(req.messages[0]).toMatchObject({ role: 'user', text: 'a\nb', images: [{ format: 'png' }] });
    });

    test('fails if a tool message has no tool_call_id', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'tool', content: 'x' }] });
      expect(err.param).toBe('messages[0].tool_call_id');
    });

    test('fails if there are more messages than the limit (413)', () => {
      const messages = Array.from({ length: 9 }, () => ({ role: 'user', content: 'x' }));
      const err = parseError({ model: 'm', messages });
      expect(err).toBeInstanceOf(RequestTooLargeError);
      expect(err.statusCode).toBe(413);
    });

    test('fails if one message is longer than the limit (413)', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(101) }] });
      expect(err.statusCode).toBe(413);
      expect(err.param).toBe('messages[0].content');
    });

    test('fails if the last message is from the assistant (no prefill)', () => {
      const err = parseError({ model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: 'Sure, here is' }] });
      expect(err.message).toMatch(/last message/);
    });

    test('fails if n is not 1', () => {
      expect(parseError({ model: 'm', n: 2, messages: [{ role: 'user', content: 'x' }] }).param).toBe('n');
    });

    test('fails if temperature is out of range', () => {
      expect(parseError({ model: 'm', temperature: 3, messages: [{ role: 'user', content: 'x' }] }).param).toBe('temperature');
    });

    test('fails if temperature is above 1: refused (unsupported_value), never lowered to the Bedrock models\' maximum', () => {
      const err = parseError({ model: 'm', temperature: 1.5, messages: [{ role: 'user', content: 'x' }] });
      expect({ code: err.code, param: err.param }).toEqual({ code: 'unsupported_value', param: 'temperature' });
      expect(parseChatRequest({ model: 'm', temperature: 1, messages: [{ role: 'user', content: 'x' }] }, LIMITS).temperature).toBe(1);
    });

    test('fails if a message of the history carries a legacy function_call', () => {
      const err = parseError({
        model: 'm',
        messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } }, { role: 'user', content: 'y' }],
      });
      expect({ code: err.code, param: err.param }).toEqual({ code: 'unsupported_parameter', param: 'messages[1].function_call' });
    });

    test('fails with zod\'s English messages where the schema has no message of its own (zod/mini + English locale)', () => {
      // GIVEN
      const user = [{ role: 'user', content: 'x' }];
      // WHEN
      const tooHot = parseError({ model: 'm', temperature: 3, messages: user });
      const notANumber = parseError({ model: 'm', max_tokens: 'many', messages: user });
      // THEN
      expect(tooHot.message).toBe('Invalid temperature: Too big: expected number to be <=2');
      expect(notANumber.message).toBe('Invalid max_tokens: Invalid input: expected number, received string');
      expect(notANumber.param).toBe('max_tokens');
    });

    test('fails if a tool schema uses an unsupported keyword', () => {
      const err = parseError({
        model: 'm',
        tools: [{ type: 'function', function: { name: 't', parameters: { type: 'object', properties: { a: { $ref: '#/x' } } } } }],
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(err.message).toMatch(/unsupported JSON Schema keyword "\$ref"/);
      expect(err.param).toBe('tools[0].function.parameters');
    });

    test('fails if tool names repeat, a tool name is invalid, or there are too many tools', () => {
      const user = [{ role: 'user', content: 'x' }];
      const t = (name: string) => ({ type: 'function', function: { name } });
      expect(parseError({ model: 'm', tools: [t('a'), t('a')], messages: user }).message).toMatch(/declared twice/);
      expect(parseError({ model: 'm', tools: [t('bad name')], messages: user }).param).toBe('tools[0].function.name');
      expect(parseError({ model: 'm', tools: Array.from({ length: MAX_TOOLS + 1 }, (_, i) => t(`t${i}`)), messages: user }).param).toBe('tools');
    });

    test('fails if tool_choice names an undeclared tool or requires tools without any', () => {
      const user = [{ role: 'user', content: 'x' }];
      expect(parseError({ model: 'm', tool_choice: { type: 'function', function: { name: 'x' } }, messages: user }).param).toBe('tool_choice');
      expect(parseError({ model: 'm', tool_choice: 'required', messages: user }).param).toBe('tool_choice');
    });

    test('fails if a stop sequence is empty or there are more than 4', () => {
      const user = [{ role: 'user', content: 'x' }];
      expect(parseError({ model: 'm', stop: [''], messages: user }).param).toBe('stop[0]');
      expect(parseError({ model: 'm', stop: ['a', 'b', 'c', 'd', 'e'], messages: user }).param).toBe('stop');
    });

    test('error messages never echo long client values', () => {
      const secret = 'S'.repeat(500);
      const err = parseError({ model: 'm', messages: [{ role: secret, content: 'x' }] });
      expect(err.message).not.toContain(secret);
    });
  });

  describe('properties', () => {
    test('never throws anything but a 400/413 GatewayError for any JSON value', () => {
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          try {
            parseChatRequest(value, LIMITS);
          } catch (err) {
            expect(err).toBeInstanceOf(GatewayError);
            expect([400, 413]).toContain((err as GatewayError).statusCode);
          }
        }),
        { numRuns: 500 },
      );
    });

    test('a parsed request holds exactly the parameters given, in the order of the type (property)', () => {
      // The fields the parser builds, in the order the literal with conditional spreads listed them.
      const ORDER = ['model', 'messages', 'maxTokens', 'temperature', 'topP', 'stop', 'tools', 'toolChoice', 'stream', 'includeUsage', 'responseFormat'];
      const body = fc.record(
        {
          max_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: null }),
          max_completion_tokens: fc.option(fc.integer({ min: 1, max: 4096 }), { nil: null }),
          temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
          top_p: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
          stop: fc.option(fc.oneof(fc.constant('END'), fc.constant(['a', 'b'])), { nil: null }),
          stream: fc.option(fc.boolean(), { nil: null }),
          stream_options: fc.constant({ include_usage: true }),
          response_format: fc.constantFrom({ type: 'text' }, { type: 'json_object' }),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(body, (extra) => {
          const value: Record<string, unknown> = { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra };
          if (value.stream !== true) delete value.stream_options;
          if (value.stream === true) delete value.response_format;
          const req = parseChatRequest(value, LIMITS);
          expect(Object.keys(req)).toEqual(ORDER.filter((k) => k in req));
          const maxTokens = value.max_completion_tokens ?? value.max_tokens ?? undefined;
          expect(req).toEqual({
            model: 'm',
            messages: [{ role: 'user', text: 'hi' }],
            ...(maxTokens === undefined ? {} : { maxTokens }),
            ...(value.temperature === undefined || value.temperature === null ? {} : { temperature: value.temperature }),
            ...(value.top_p === undefined || value.top_p === null ? {} : { topP: value.top_p }),
            stop: value.stop === undefined || value.stop === null ? [] : typeof value.stop === 'string' ? [value.stop] : value.stop,
            tools: [],
            toolChoice: 'auto',
            ...(value.stream === true ? { stream: true } : {}),
            ...(value.stream === true && value.stream_options !== undefined ? { includeUsage: true } : {}),
            ...((value.response_format as { type?: string } | undefined)?.type === 'json_object'
              ? { responseFormat: { type: 'json_object', name: JSON_OBJECT_TOOL_NAME, schema: { type: 'object' } } }
              : {}),
          });
        }),
        { numRuns: 300 },
      );
    });

    test('never throws anything but a GatewayError for near-valid requests', () => {
      const role = fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'other');
      const content = fc.oneof(fc.string(), fc.array(fc.record({ type: fc.constantFrom('text', 'image_url'), text: fc.oneof(fc.string(), fc.integer()) })), fc.constant(null));
      const messageArb = fc.record({ role, content, tool_call_id: fc.option(fc.string()) }, { requiredKeys: ['role'] });
      const body = fc.record(
        {
          model: fc.oneof(fc.string(), fc.integer()),
          messages: fc.array(messageArb, { maxLength: 10 }),
          max_tokens: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
          temperature: fc.double(),
          stop: fc.oneof(fc.string(), fc.array(fc.string())),
          tools: fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: fc.string(), parameters: fc.jsonValue() }) })),
          stream: fc.boolean(),
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(body, (value) => {
          try {
            const req = parseChatRequest(value, LIMITS);
            // A parsed request always ends with a user or tool message and respects the limits.
            expect(['user', 'tool']).toContain(req.messages[req.messages.length - 1]!.role);
            expect(req.messages.length).toBeLessThanOrEqual(LIMITS.maxMessages);
          } catch (err) {
            expect(err).toBeInstanceOf(GatewayError);
          }
        }),
        { numRuns: 500 },
      );
    });
  });
});

describe('formatParam', () => {
  test('formats paths the way OpenAI names params', () => {
    expect(formatParam(['messages', 0, 'content', 2, 'type'])).toBe('messages[0].content[2].type');
    expect(formatParam([])).toBeUndefined();
  });
});
