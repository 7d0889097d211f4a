import * as fc from 'fast-check';
import { ChatCompletionParts, chatCompletion, extractToolCalls, finishReasonOf, modelList, outputText, usageOf } from '../../../lambda/gateway/response';
import type { ToolDefinition } from '../../../lambda/gateway/request';

const TOOLS: ToolDefinition[] = [
  { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
];

describe('finishReasonOf', () => {
  test.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['tool_use', 'tool_calls'],
    [undefined, 'stop'],
    ['something_new', 'stop'],
  ])('%s → %s', (stop, finish) => {
    expect(finishReasonOf(stop)).toBe(finish);
  });
});

describe('usageOf', () => {
  test('maps counts and treats missing or invalid values as 0', () => {
    expect(usageOf({ inputTokens: 10, outputTokens: 5 })).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(usageOf(undefined)).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(usageOf({ inputTokens: -3, outputTokens: 1.5 })).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  test('always a consistent total', () => {
    fc.assert(fc.property(fc.anything(), fc.anything(), (a, b) => {
      const u = usageOf({ inputTokens: a, outputTokens: b });
      expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    }));
  });
});

describe('chatCompletion and modelList', () => {
  test('OpenAI shapes', () => {
    const c = chatCompletion({ id: 'chatcmpl-1', created: 5, model: 'nova-lite', content: 'hi', finishReason: 'stop', usage: usageOf({ inputTokens: 1, outputTokens: 2 }) });
    expect(c).toEqual({
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 5,
      model: 'nova-lite',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    expect(modelList(['a'])).toEqual({ object: 'list', data: [{ id: 'a', object: 'model', created: 0, owned_by: 'secure-llm-gateway' }] });
  });

  test('the response body is byte for byte the one of the object literal with its optional fields spread in (property)', () => {
    // The straightforward construction: one literal, the optional fields spread in where the type lists them.
    const reference = (parts: ChatCompletionParts) => ({
      id: parts.id,
      object: 'chat.completion',
      created: parts.created,
      model: parts.model,
      choices: [{
        index: 0,
        message: {
          role: 'assistant',
          content: parts.content,
          refusal: null,
          ...(parts.toolCalls !== undefined && parts.toolCalls.length > 0 ? { tool_calls: parts.toolCalls } : {}),
          ...(parts.citations === undefined ? {} : { citations: parts.citations }),
        },
        logprobs: null,
        finish_reason: parts.finishReason,
      }],
      usage: parts.usage,
    });
    const toolCall = fc.record({ id: fc.string(), type: fc.constant('function' as const), function: fc.record({ name: fc.string(), arguments: fc.string() }) });
    const citation = fc.record({ index: fc.nat(), source: fc.string() });
    const parts = fc.record({
      id: fc.string(),
      created: fc.nat(),
      model: fc.string(),
      content: fc.option(fc.string(), { nil: null }),
      finishReason: fc.constantFrom('stop' as const, 'length' as const, 'tool_calls' as const, 'content_filter' as const),
      usage: fc.record({ prompt_tokens: fc.nat(), completion_tokens: fc.nat(), total_tokens: fc.nat() }),
      toolCalls: fc.option(fc.array(toolCall, { maxLength: 2 }), { nil: undefined }),
      citations: fc.option(fc.array(citation, { maxLength: 2 }), { nil: undefined }),
    }, { requiredKeys: ['id', 'created', 'model', 'content', 'finishReason', 'usage'] });
    fc.assert(fc.property(parts, (p) => {
      const given = p as unknown as ChatCompletionParts;
      expect(JSON.stringify(chatCompletion(given))).toBe(JSON.stringify(reference(given)));
    }), { numRuns: 300 });
  });

  test('outputText joins text blocks and skips others', () => {
    expect(outputText([{ text: 'a' }, { toolUse: { toolUseId: 'x', name: 'n', input: {} } }, { text: 'b' }])).toBe('ab');
    expect(outputText(undefined)).toBe('');
  });
});

describe('extractToolCalls', () => {
  test('maps valid calls to OpenAI tool_calls', () => {
    const out = extractToolCalls([{ text: 'calling' }, { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Oslo' } } }], TOOLS);
    expect(out).toEqual({
      ok: true,
      calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
      argumentTexts: ['{"city":"Oslo"}'],
    });
  });

  test('fails if a call names an undeclared tool', () => {
    expect(extractToolCalls([{ toolUse: { toolUseId: 't', name: 'rm_rf', input: {} } }], TOOLS)).toEqual({ ok: false, reason: 'undeclared_tool' });
  });

  test('fails if arguments break the schema, naming the path but not the value', () => {
    const out = extractToolCalls([{ toolUse: { toolUseId: 't', name: 'get_weather', input: { city: 'Oslo', secret: 'hunter2' } } }], TOOLS);
    expect(out).toEqual({ ok: false, reason: 'invalid_arguments:get_weather:$.secret' });
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });
});
