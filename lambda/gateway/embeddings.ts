/**
 * `POST /v1/embeddings`: the OpenAI embeddings request subset the gateway accepts, the Amazon Titan Text Embeddings V2
 * call (InvokeModel, one call per input: the model embeds one text at a time) and the OpenAI response shape.
 *
 * Accepted: `model` (an alias of kind `embedding`), `input` (a string or up to {@link MAX_EMBEDDING_INPUTS} strings),
 * `dimensions` (256, 512 or 1024, what Titan V2 offers), `encoding_format` (`float` or `base64`: little-endian
 * float32, as OpenAI sends it), `user`. Refused with 400: token-array input (the gateway cannot know the client's
 * tokenizer), other dimensions, any other parameter.
 *
 * No guardrail applies: Amazon Bedrock does not apply guardrails to embedding models, and a vector is not text a person
 * reads. The input is never logged; the audit record has its count, size and hash.
 *
 * @module
 */
import { BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import { CallResult, RetryPolicy, callWithRetries } from './bedrock';
import { BadRequestError, GatewayError, RequestTooLargeError, UpstreamError } from './errors';
import { formatParam } from './request';

z.config(en());

/** Most inputs one request may embed (one InvokeModel call each). */
export const MAX_EMBEDDING_INPUTS = 16;
/** The embedding sizes Titan Text Embeddings V2 produces. */
export const EMBEDDING_DIMENSIONS = [256, 512, 1024] as const;
/** The embedding models whose request format this module speaks. */
export const SUPPORTED_EMBEDDING_MODEL_IDS: readonly string[] = ['amazon.titan-embed-text-v2:0'];

/** A validated embeddings request. */
export interface EmbeddingsRequest {
  readonly model: string;
  readonly inputs: readonly string[];
  /** @default 1024 */
  readonly dimensions: number;
  readonly encoding: 'float' | 'base64';
}

const buildSchema = () => z.strictObject(
  {
    model: z.string({ error: 'model is required' }).check(z.minLength(1), z.maxLength(128)),
    input: z.union([z.string(), z.array(z.string()).check(z.minLength(1), z.maxLength(MAX_EMBEDDING_INPUTS))], {
      error: `input must be a string or an array of 1-${MAX_EMBEDDING_INPUTS} strings (token arrays are not supported)`,
    }),
    dimensions: z.nullish(z.union(EMBEDDING_DIMENSIONS.map((d) => z.literal(d)), { error: `dimensions must be one of ${EMBEDDING_DIMENSIONS.join(', ')}` })),
    encoding_format: z.nullish(z.enum(['float', 'base64'])),
    user: z.nullish(z.string().check(z.maxLength(256))),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `${issue.keys.join(', ').slice(0, 64)} is not supported by this gateway` : undefined) },
);

let builtSchema: ReturnType<typeof buildSchema> | undefined;
/**
 * The request schema, built on the first embeddings request: a container that serves chat only never builds it, and a
 * chat request's cold start does not pay for it.
 */
function embeddingsSchema(): ReturnType<typeof buildSchema> {
  return (builtSchema ??= buildSchema());
}

/**
 * Validates a parsed JSON body as an embeddings request.
 *
 * @throws BadRequestError (400) or RequestTooLargeError (413, an input longer than `maxInputChars`); never anything else
 */
export function parseEmbeddingsRequest(body: unknown, maxInputChars: number): EmbeddingsRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new BadRequestError('The request body must be a JSON object.', { code: 'invalid_request' });
  }
  let result: ReturnType<ReturnType<typeof buildSchema>['safeParse']>;
  try {
    result = embeddingsSchema().safeParse(body);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    throw new BadRequestError('The request body could not be parsed as an embeddings request.', { code: 'invalid_request' });
  }
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const param = unknownKey ?? formatParam(issue.path);
    throw new BadRequestError(`Invalid ${param ?? 'request'}: ${issue.message.slice(0, 200)}`, {
      code: unknownKey === undefined ? 'invalid_value' : 'unsupported_parameter',
      ...(param === undefined ? {} : { param: param.slice(0, 64) }),
    });
  }
  const r = result.data;
  const inputs = typeof r.input === 'string' ? [r.input] : r.input;
  inputs.forEach((text, i) => {
    const param = typeof r.input === 'string' ? 'input' : `input[${i}]`;
    if (text.length === 0) throw new BadRequestError(`${param} must not be empty.`, { code: 'invalid_value', param });
    if (text.length > maxInputChars) throw new RequestTooLargeError(`${param} holds ${text.length} characters, more than the limit of ${maxInputChars}.`, { param });
  });
  return { model: r.model, inputs, dimensions: r.dimensions ?? 1024, encoding: r.encoding_format ?? 'float' };
}

/** The Titan Text Embeddings V2 request body for one input. */
export function titanEmbeddingBody(text: string, dimensions: number): string {
  return JSON.stringify({ inputText: text, dimensions, normalize: true });
}

/** One Titan embedding, read from the model's JSON answer. */
export interface Embedding {
  readonly vector: readonly number[];
  readonly tokens: number;
}

/** Reads a Titan Text Embeddings V2 answer; a malformed one is a 502 (never passed on). */
export function readTitanEmbedding(body: Uint8Array, dimensions: number): Embedding {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw new UpstreamError('The embedding model returned a malformed answer.');
  }
  const p = parsed as { embedding?: unknown; inputTextTokenCount?: unknown };
  if (!Array.isArray(p.embedding) || p.embedding.length !== dimensions || !p.embedding.every((v) => typeof v === 'number' && Number.isFinite(v))
    || typeof p.inputTextTokenCount !== 'number' || !Number.isSafeInteger(p.inputTextTokenCount) || p.inputTextTokenCount < 0) {
    throw new UpstreamError('The embedding model returned a malformed answer.');
  }
  return { vector: p.embedding as number[], tokens: p.inputTextTokenCount };
}

/** Embeds one text with InvokeModel under the retry policy. */
export async function invokeEmbedding(
  client: BedrockRuntimeClient,
  modelId: string,
  text: string,
  dimensions: number,
  policy: RetryPolicy,
  deadline?: number,
): Promise<CallResult<Embedding>> {
  const call = await callWithRetries(
    (signal) => client.send(
      new InvokeModelCommand({ modelId, contentType: 'application/json', accept: 'application/json', body: titanEmbeddingBody(text, dimensions) }),
      { abortSignal: signal },
    ),
    policy,
    deadline,
  );
  return { value: readTitanEmbedding(call.value.body, dimensions), attempts: call.attempts };
}

/** The OpenAI embeddings response. */
export interface EmbeddingsResponse {
  readonly object: 'list';
  readonly data: ReadonlyArray<{ readonly object: 'embedding'; readonly index: number; readonly embedding: readonly number[] | string }>;
  readonly model: string;
  readonly usage: { readonly prompt_tokens: number; readonly total_tokens: number };
}

/** Builds the OpenAI response; `base64` is the vector as little-endian float32 bytes, as OpenAI encodes it. */
export function embeddingsResponse(model: string, embeddings: readonly Embedding[], encoding: 'float' | 'base64'): EmbeddingsResponse {
  const tokens = embeddings.reduce((n, e) => n + e.tokens, 0);
  return {
    object: 'list',
    data: embeddings.map((e, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encoding === 'float' ? e.vector : Buffer.from(new Float32Array(e.vector).buffer).toString('base64'),
    })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
