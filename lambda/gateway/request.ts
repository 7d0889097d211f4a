/**
 * The OpenAI Chat Completions request subset the gateway accepts, parsed with zod at the edge.
 *
 * Accepted: `model`, `messages` (roles `system`, `developer`, `user`, `assistant`, `tool`; content as a string or as
 * text parts `[{ type: 'text', text }]`; assistant `tool_calls`; tool `tool_call_id`), `max_tokens` /
 * `max_completion_tokens`, `temperature`, `top_p`, `stop`, `tools` (type `function`, parameters in the JSON Schema
 * subset of {@link checkToolSchema}), `tool_choice`, `user`, `stream`, `stream_options` (`include_usage`, only with
 * `stream: true`), `n` (only 1), `response_format` (`text`, `json_object`, `json_schema` with a schema in the same
 * subset whose root is an object; not with `tools`, not with `stream: true`).
 *
 * Decisions:
 * - OpenAI parameters the gateway does not implement are accepted only at the values that change nothing (their
 *   defaults, `null`) and refused otherwise with 400 `unsupported_parameter` (table `NEUTRAL`); names OpenAI's API
 *   does not have get 400 `unknown_parameter`. Unknown fields inside messages are ignored (a participant `name`
 *   among them), except the legacy `function_call`, refused unless `null` (`UNSUPPORTED_MESSAGE_FIELDS`). Either way
 *   the Converse request is built from scratch out of the parsed fields only: nothing a client adds
 *   (`guardrailConfig`, `system`, `additionalModelRequestFields`) can reach Amazon Bedrock.
 * - Parameters whose silent omission would mislead the caller are rejected: `n` other than 1, `temperature` above 1
 *   (OpenAI accepts up to 2; the Bedrock models take 0-1), `stream_options`
 *   without `stream: true` or with a key other than `include_usage`, and content parts other than text and images.
 * - `null` for an optional parameter means "not given", as several clients send it.
 * - The conversation must end with a `user` or `tool` message: a trailing assistant message would act as a response
 *   prefill, a known way to steer the model past its instructions.
 * - `developer` is treated as `system` (newer OpenAI clients send it).
 *
 * {@link parseChatRequest} never throws anything but a {@link GatewayError} (400 or 413) for any JSON value.
 *
 * @module
 */
// zod/mini (see runtime-config.ts): functions instead of methods so the bundle keeps only the checks in use; the
// English locale is set here too, so this module's messages never depend on import order.
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { TOOL_NAME } from '../shared/gateway-contract';
import { BadRequestError, GatewayError, RequestTooLargeError } from './errors';
import { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGES, ImageInput, decodeImagePart } from './images';
import { checkToolSchema, JsonObject } from './tool-schema';

/** Tool names, as Amazon Bedrock accepts them in `toolSpec.name` (the contract's rule). */
export { TOOL_NAME };

z.config(en());

/** Highest `temperature` the gateway accepts: the Bedrock models' maximum (OpenAI's is 2). */
export const MAX_TEMPERATURE = 1;
/** Most tools one request may declare. */
export const MAX_TOOLS = 64;
/** Most stop sequences (OpenAI's limit). */
export const MAX_STOP_SEQUENCES = 4;
/** Longest stop sequence, in characters. */
export const MAX_STOP_SEQUENCE_CHARS = 200;
/** Longest tool description, in characters. */
export const MAX_TOOL_DESCRIPTION_CHARS = 4_000;
/** Most tool calls in one assistant history message. */
export const MAX_TOOL_CALLS_PER_MESSAGE = 64;
/** Tool call ids the gateway accepts from clients (they are rendered into the prompt). */
export const TOOL_CALL_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The limits {@link parseChatRequest} enforces (from the runtime configuration). */
export interface RequestLimits {
  /** Most messages in one request. */
  readonly maxMessages: number;
  /** Longest text of one message, in characters (checked again after normalization by the handler). */
  readonly maxMessageChars: number;
  /** Largest decoded image, in bytes. @default DEFAULT_MAX_IMAGE_BYTES */
  readonly maxImageBytes?: number;
  /** Most images in one request. @default DEFAULT_MAX_IMAGES */
  readonly maxImages?: number;
}

/** A tool call the assistant made earlier in the conversation (history). */
export interface HistoryToolCall {
  readonly id: string;
  readonly name: string;
  /** The JSON-encoded arguments, as the client sent them. */
  readonly arguments: string;
}

/** One message of the conversation, with its content flattened to text. */
export type ChatMessage =
  | { readonly role: 'system'; readonly text: string }
  | { readonly role: 'user'; readonly text: string; /** Decoded `image_url` parts, in order. */ readonly images?: readonly ImageInput[] }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls: readonly HistoryToolCall[] }
  | { readonly role: 'tool'; readonly text: string; readonly toolCallId: string };

/** A function tool the client declares. */
export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** The JSON Schema of the arguments (the subset of {@link checkToolSchema}). */
  readonly parameters: JsonObject;
}

/** Which tool the model may or must call. */
export type ToolChoice = 'auto' | 'none' | 'required' | { readonly name: string };

/** The tool name a `json_object` response is forced through (a `json_schema` response uses the schema's `name`). */
export const JSON_OBJECT_TOOL_NAME = 'json_object';
/** The schema of a `json_object` response: any JSON object. */
export const JSON_OBJECT_SCHEMA: JsonObject = { type: 'object' };

/**
 * Structured output the client asked for with `response_format`. The gateway forces the model to call one tool whose
 * input schema is `schema` and returns that input, validated against `schema`, as the message content.
 */
export interface ResponseFormat {
  /** `json_object` (any JSON object) or `json_schema` (the client's schema). */
  readonly type: 'json_object' | 'json_schema';
  /** The forced tool's name: `json_schema.name`, or {@link JSON_OBJECT_TOOL_NAME}. */
  readonly name: string;
  /** `json_schema.description`, given to the model as the tool's description. */
  readonly description?: string;
  /** The JSON Schema (the subset of {@link checkToolSchema}) whose root is an object. */
  readonly schema: JsonObject;
}

/** A validated chat request. */
export interface ChatRequest {
  /** The model alias the client asked for. */
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** `max_completion_tokens`, else `max_tokens`; capped later by the group and model caps. */
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly stop: readonly string[];
  readonly tools: readonly ToolDefinition[];
  readonly toolChoice: ToolChoice;
  /** `stream: true`: the answer goes out as server-sent events. */
  readonly stream?: true;
  /** `stream_options.include_usage: true`: a last chunk carries the usage. */
  readonly includeUsage?: true;
  /** Structured output; absent: plain text (`response_format` left out or `{ type: "text" }`). */
  readonly responseFormat?: ResponseFormat;
}

/** An optional number parameter; `null` means "not given". */
const optionalNumber = (schema: z.ZodMiniType<number, number>) =>
  z.pipe(z.nullish(schema), z.transform((v: number | null | undefined) => v ?? undefined));

// Schemas that appear more than once below, built once: a zod schema is immutable (a parent adds the path and wraps,
// it never changes its children), so sharing one changes no result or message, and each one not built is a few dozen
// closures and objects less at cold start (the request schema is the largest part of the gateway's own load).
const anyString = z.string();
const optionalUnknown = z.optional(z.unknown());
const functionType = z.literal('function');
const nullishBoolean = z.nullish(z.boolean());
const jsonObject = z.nullish(z.record(anyString, z.unknown()));
const toolName = z.string().check(z.regex(TOOL_NAME, 'must be 1-64 letters, digits, _ or -'));
const toolDescription = z.nullish(z.string().check(z.maxLength(MAX_TOOL_DESCRIPTION_CHARS)));
const positiveInteger = optionalNumber(z.int().check(z.positive()));

const contentPart = z.object({ type: anyString, text: optionalUnknown, image_url: optionalUnknown });

/** Message content after parsing: the text parts joined, and the raw `image_url` values with their part index. */
interface ParsedContent {
  readonly text: string;
  readonly images: ReadonlyArray<{ readonly index: number; readonly value: unknown }>;
}

/**
 * Message content: a string, or an array of text and `image_url` parts (null allowed for assistant messages with tool
 * calls). Images are decoded later, with the limits ({@link decodeImagePart}).
 */
const content = z.pipe(
  z.optional(z.union([anyString, z.array(contentPart), z.null()], { error: 'content must be a string or an array of content parts' })).check(
    // A plain check, not `z.superRefine`: with superRefine (which assigns an `addIssue` closure onto every payload)
    // parsing a freshly parsed 8 KB body cost 43 µs instead of 7.5 µs (bench/micro.bench.ts), most of it in
    // young-generation GCs whose survivors grew with each collection. The issues are the ones superRefine would push.
    z.check((payload) => {
      const value = payload.value;
      if (!Array.isArray(value)) return;
      value.forEach((part, i) => {
        if (part.type === 'image_url') return;
        if (part.type !== 'text') {
          payload.issues.push({ code: 'custom', path: [i, 'type'], message: 'only text and image_url content parts are supported', input: value, continue: true });
        } else if (typeof part.text !== 'string') {
          payload.issues.push({ code: 'custom', path: [i, 'text'], message: 'a text part needs a string text', input: value, continue: true });
        }
      });
    }),
  ),
  z.transform((value: string | Array<{ type: string; text?: unknown; image_url?: unknown }> | null | undefined): ParsedContent | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return { text: value, images: [] };
    const texts: string[] = [];
    const images: Array<{ index: number; value: unknown }> = [];
    value.forEach((p, index) => {
      if (p.type === 'image_url') images.push({ index, value: p.image_url });
      else texts.push(p.text as string);
    });
    return { text: texts.join('\n'), images };
  }),
);

const toolCall = z.object({
  id: z.string().check(z.regex(TOOL_CALL_ID, 'must be 1-128 letters, digits or _.:-')),
  type: z.optional(functionType),
  function: z.object({
    name: toolName,
    arguments: anyString,
  }),
});

const ROLES = 'system, developer, user, assistant, tool';

const message = z.discriminatedUnion(
  'role',
  [
    z.object({ role: z.enum(['system', 'developer']), content }),
    z.object({ role: z.literal('user'), content }),
    z.object({
      role: z.literal('assistant'),
      content,
      tool_calls: z.nullish(z.array(toolCall).check(z.maxLength(MAX_TOOL_CALLS_PER_MESSAGE))),
    }),
    z.object({
      role: z.literal('tool'),
      content,
      tool_call_id: z.string({ error: 'tool messages need a tool_call_id' }).check(z.regex(TOOL_CALL_ID, 'must be 1-128 letters, digits or _.:-')),
    }),
  ],
  { error: (issue) => (issue.code === 'invalid_union' ? `role must be one of ${ROLES}` : undefined) },
);

const tool = z.object({
  type: functionType,
  function: z.object({
    name: toolName,
    description: toolDescription,
    parameters: jsonObject,
  }),
});

const toolChoice = z.union(
  [
    z.enum(['auto', 'none', 'required']),
    z.object({ type: functionType, function: z.object({ name: z.string().check(z.regex(TOOL_NAME)) }) }),
  ],
  { error: 'tool_choice must be "auto", "none", "required" or { type: "function", function: { name } }' },
);

const responseFormat = z.union(
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().check(z.regex(TOOL_NAME, 'json_schema.name must be 1-64 letters, digits, _ or -')),
        description: toolDescription,
        schema: jsonObject,
        strict: nullishBoolean,
      }),
    }),
  ],
  { error: 'response_format must be { type: "text" }, { type: "json_object" } or { type: "json_schema", json_schema: { name, schema } }' },
);

const chatRequestSchema = z.object({
  model: z.string({ error: 'model is required' }).check(z.minLength(1), z.maxLength(128)),
  messages: z.array(message, { error: 'messages must be an array of messages' }).check(z.minLength(1, 'messages must not be empty')),
  max_tokens: positiveInteger,
  max_completion_tokens: positiveInteger,
  temperature: optionalNumber(z.number().check(z.minimum(0), z.maximum(2))),
  top_p: optionalNumber(z.number().check(z.minimum(0), z.maximum(1))),
  stop: z.nullish(
    z.union([anyString, z.array(anyString).check(z.maxLength(MAX_STOP_SEQUENCES))], { error: `stop must be a string or up to ${MAX_STOP_SEQUENCES} strings` }),
  ),
  user: z.nullish(z.string().check(z.maxLength(256))),
  n: optionalNumber(z.int()),
  stream: nullishBoolean,
  stream_options: z.nullish(
    z.strictObject({ include_usage: nullishBoolean }, { error: 'stream_options may only hold include_usage' }),
  ),
  tools: z.nullish(z.array(tool).check(z.maxLength(MAX_TOOLS))),
  tool_choice: z.nullish(toolChoice),
  response_format: z.nullish(responseFormat),
});

/** The request parameters the gateway implements (the chat request schema's keys). */
const IMPLEMENTED = new Set(Object.keys(chatRequestSchema.shape));

/**
 * Parameters of OpenAI's chat completions API the gateway does not implement, each with the values that change
 * nothing (its default, `null`) and are therefore accepted. Any other value is refused with a 400
 * `unsupported_parameter` naming the parameter: the client must never get a silently different answer than it asked
 * for. `user`-like identifiers that do not change the completion are accepted whatever their value.
 */
const NEUTRAL: Readonly<Record<string, (value: unknown) => boolean>> = {
  frequency_penalty: (v) => v === 0,
  presence_penalty: (v) => v === 0,
  logprobs: (v) => v === false,
  top_logprobs: (v) => v === 0,
  logit_bias: (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0,
  seed: () => false,
  parallel_tool_calls: (v) => v === true,
  service_tier: (v) => v === 'auto' || v === 'default',
  modalities: (v) => Array.isArray(v) && v.length === 1 && v[0] === 'text',
  store: (v) => v === false,
  metadata: () => false,
  audio: () => false,
  prediction: () => false,
  reasoning_effort: () => false,
  verbosity: () => false,
  web_search_options: () => false,
  functions: () => false,
  function_call: () => false,
  // Identifiers for abuse monitoring and caching at OpenAI, and how long OpenAI keeps a cached prefix: they do not
  // change the completion.
  safety_identifier: () => true,
  prompt_cache_key: () => true,
  prompt_cache_retention: () => true,
};

/**
 * Fields of OpenAI's message objects the gateway does not implement and refuses unless `null` (400
 * `unsupported_parameter` naming `messages[i].<field>`): the message schema drops unknown fields, so a legacy
 * `function_call` in the assistant history would otherwise be left out of the conversation without notice (the
 * top-level `functions` / `function_call` are refused too). A participant `name` is not listed: multi-agent frameworks
 * send it by default, and it is accepted and ignored (the README says so).
 */
const UNSUPPORTED_MESSAGE_FIELDS = ['function_call'] as const;

/** Refuses a message field of {@link UNSUPPORTED_MESSAGE_FIELDS} set to anything but `null`. */
function refuseUnimplementedMessageFields(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  for (let i = 0; i < messages.length; i++) {
    const m: unknown = messages[i];
    if (typeof m !== 'object' || m === null) continue;
    for (const field of UNSUPPORTED_MESSAGE_FIELDS) {
      const value = (m as Record<string, unknown>)[field];
      if (value === undefined || value === null) continue;
      throw invalid(
        `messages[${i}].${field} is not supported by this gateway; use tool_calls (the model would not see it, and the answer would differ from what you asked for without notice).`,
        `messages[${i}].${field}`,
        'unsupported_parameter',
      );
    }
  }
}

/**
 * Refuses what the gateway would otherwise ignore: a parameter it does not implement, set to a value that would
 * change the answer, or a parameter OpenAI's API does not have.
 */
function refuseUnimplemented(raw: Record<string, unknown>): void {
  // The keys, then each value: no [name, value] pair allocated per parameter of every request.
  for (const name of Object.keys(raw)) {
    const value = raw[name];
    if (IMPLEMENTED.has(name) || value === null || value === undefined) continue;
    const neutral = Object.prototype.hasOwnProperty.call(NEUTRAL, name) ? NEUTRAL[name] : undefined;
    if (neutral === undefined) {
      throw invalid(`Unrecognized request argument supplied: ${name.slice(0, 64)}.`, name.slice(0, 64), 'unknown_parameter');
    }
    if (!neutral(value)) {
      throw invalid(
        `${name} is not supported by this gateway; leave it out (the answer would otherwise differ from what you asked for without notice).`,
        name,
        'unsupported_parameter',
      );
    }
  }
}

/** Formats a zod issue path as OpenAI does for `param`, e.g. `messages[0].content`. */
export function formatParam(path: readonly PropertyKey[]): string | undefined {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || undefined;
}

function invalid(message: string, param?: string, code = 'invalid_value'): BadRequestError {
  return new BadRequestError(message, { code, ...(param === undefined ? {} : { param }) });
}

/**
 * Validates a parsed JSON body as a chat request.
 *
 * @param body - any value `JSON.parse` can return
 * @param limits - message count and length limits
 * @returns the request with content flattened to text
 * @throws BadRequestError (400) for anything malformed or unsupported; RequestTooLargeError (413) when a limit is
 *   exceeded. Never anything else.
 */
export function parseChatRequest(body: unknown, limits: RequestLimits): ChatRequest {
  try {
    return parse(body, limits);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw invalid('The request body could not be parsed as a chat completion request.', undefined, 'invalid_request');
  }
}

function parse(body: unknown, limits: RequestLimits): ChatRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('The request body must be a JSON object.', undefined, 'invalid_request');
  }
  const raw = body as Record<string, unknown>;
  // Checked before the schema so the caller learns the real reason, not a type error further down.
  if (raw.stream_options !== undefined && raw.stream_options !== null && raw.stream !== true) {
    throw invalid('stream_options is only allowed with "stream": true.', 'stream_options', 'invalid_value');
  }
  refuseUnimplemented(raw);
  if (Array.isArray(raw.messages) && raw.messages.length > limits.maxMessages) {
    throw new RequestTooLargeError(`messages may hold at most ${limits.maxMessages} messages, got ${raw.messages.length}.`, { param: 'messages' });
  }
  refuseUnimplementedMessageFields(raw.messages);
  const result = chatRequestSchema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const param = formatParam(issue.path);
    const what = param === undefined ? 'request' : param;
    throw invalid(`Invalid ${what}: ${issue.message.slice(0, 200)}`, param);
  }
  const r = result.data;
  if (r.n !== undefined && r.n !== 1) {
    throw invalid('n must be 1: the gateway returns one choice.', 'n', 'unsupported_parameter');
  }
  // OpenAI's range is 0-2; the Bedrock models take 0-1. A value above 1 is refused rather than lowered without notice.
  if (r.temperature !== undefined && r.temperature > MAX_TEMPERATURE) {
    throw invalid(
      `temperature must be between 0 and ${MAX_TEMPERATURE} here: the Bedrock models behind this gateway take no higher value, and the gateway does not change one without notice.`,
      'temperature',
      'unsupported_value',
    );
  }

  const maxImageBytes = limits.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES;
  const maxImages = limits.maxImages ?? DEFAULT_MAX_IMAGES;
  let imageCount = 0;
  const messages: ChatMessage[] = r.messages.map((m, i): ChatMessage => {
    const text = m.content?.text ?? '';
    const rawImages = m.content?.images ?? [];
    if (rawImages.length > 0 && m.role !== 'user') {
      throw invalid('Only user messages may carry images.', `messages[${i}].content[${rawImages[0]!.index}]`);
    }
    imageCount += rawImages.length;
    if (rawImages.length > 0 && maxImages === 0) {
      throw invalid('This gateway does not accept images.', `messages[${i}].content[${rawImages[0]!.index}]`, 'unsupported_parameter');
    }
    if (imageCount > maxImages) {
      throw new RequestTooLargeError(`A request may carry at most ${maxImages} images.`, { param: `messages[${i}].content` });
    }
    if (text.length > limits.maxMessageChars) {
      throw new RequestTooLargeError(
        `messages[${i}] holds ${text.length} characters, more than the limit of ${limits.maxMessageChars}.`,
        { param: `messages[${i}].content` },
      );
    }
    switch (m.role) {
      case 'system':
      case 'developer':
        return { role: 'system', text };
      case 'user': {
        if (rawImages.length === 0) return { role: 'user', text };
        const images = rawImages.map((img) => decodeImagePart(img.value, `messages[${i}].content[${img.index}]`, maxImageBytes));
        return { role: 'user', text, images };
      }
      case 'tool':
        return { role: 'tool', text, toolCallId: m.tool_call_id };
      case 'assistant': {
        const toolCalls = (m.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments }));
        return { role: 'assistant', text, toolCalls };
      }
    }
  });
  const last = messages[messages.length - 1]!;
  if (last.role !== 'user' && last.role !== 'tool') {
    throw invalid('The last message must come from the user or a tool.', `messages[${messages.length - 1}].role`);
  }

  const tools: ToolDefinition[] = [];
  const names = new Set<string>();
  (r.tools ?? []).forEach((t, i) => {
    const name = t.function.name;
    if (names.has(name)) throw invalid(`Tool names must be unique; ${name} is declared twice.`, `tools[${i}].function.name`);
    names.add(name);
    const parameters: JsonObject = t.function.parameters ?? { type: 'object', properties: {} };
    const problem = checkToolSchema(parameters);
    if (problem !== undefined) throw invalid(`Invalid tools[${i}].function.parameters: ${problem}.`, `tools[${i}].function.parameters`);
    tools.push({ name, ...(t.function.description ? { description: t.function.description } : {}), parameters });
  });

  let choice: ToolChoice = 'auto';
  if (r.tool_choice !== undefined && r.tool_choice !== null) {
    choice = typeof r.tool_choice === 'string' ? r.tool_choice : { name: r.tool_choice.function.name };
  }
  if (typeof choice === 'object' && !names.has(choice.name)) {
    throw invalid(`tool_choice names ${choice.name}, which is not in tools.`, 'tool_choice');
  }
  if (choice === 'required' && tools.length === 0) {
    throw invalid('tool_choice "required" needs at least one tool.', 'tool_choice');
  }

  const stop = r.stop === undefined || r.stop === null ? [] : typeof r.stop === 'string' ? [r.stop] : r.stop;
  stop.forEach((s, i) => {
    if (s.length === 0 || s.length > MAX_STOP_SEQUENCE_CHARS) {
      throw invalid(`Each stop sequence must be 1-${MAX_STOP_SEQUENCE_CHARS} characters.`, `stop[${i}]`);
    }
  });

  const format = structuredOutput(r.response_format);
  if (format !== undefined && tools.length > 0) {
    throw invalid(
      'response_format json_object / json_schema cannot be combined with tools: the gateway forces the model to answer through one tool of its own. Send one or the other.',
      'response_format',
      'unsupported_parameter',
    );
  }
  if (format !== undefined && r.stream === true) {
    throw invalid(
      'response_format json_object / json_schema cannot be streamed: the answer is validated against the schema as a whole before it is returned. Send "stream": false.',
      'response_format',
      'unsupported_parameter',
    );
  }

  const maxTokens = r.max_completion_tokens ?? r.max_tokens;
  // The optional fields are assigned in the order of the type (fewer objects than a literal with conditional spreads).
  const request: { -readonly [K in keyof ChatRequest]?: ChatRequest[K] } = { model: r.model, messages };
  if (maxTokens !== undefined) request.maxTokens = maxTokens;
  if (r.temperature !== undefined) request.temperature = r.temperature;
  if (r.top_p !== undefined) request.topP = r.top_p;
  request.stop = stop;
  request.tools = tools;
  request.toolChoice = choice;
  if (r.stream === true) request.stream = true;
  if (r.stream === true && r.stream_options?.include_usage === true) request.includeUsage = true;
  if (format !== undefined) request.responseFormat = format;
  return request as ChatRequest;
}

type RawResponseFormat = z.infer<typeof responseFormat>;

/** The structured output a `response_format` asks for, or `undefined` for text; its schema checked like tool parameters. */
function structuredOutput(raw: RawResponseFormat | null | undefined): ResponseFormat | undefined {
  if (raw === undefined || raw === null || raw.type === 'text') return undefined;
  if (raw.type === 'json_object') return { type: 'json_object', name: JSON_OBJECT_TOOL_NAME, schema: JSON_OBJECT_SCHEMA };
  const spec = raw.json_schema;
  const schema: JsonObject = spec.schema ?? JSON_OBJECT_SCHEMA;
  const param = 'response_format.json_schema.schema';
  const problem = checkToolSchema(schema);
  if (problem !== undefined) throw invalid(`Invalid ${param}: ${problem}.`, param);
  // The schema becomes a Converse tool's input schema, whose root must be an object (OpenAI's rule for json_schema too).
  if (schema.type !== 'object') throw invalid(`Invalid ${param}: the root must be { "type": "object", ... }.`, param);
  return { type: 'json_schema', name: spec.name, ...(spec.description ? { description: spec.description } : {}), schema };
}
