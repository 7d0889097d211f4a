/**
 * Lambda response streaming for the API Gateway REST proxy integration in `STREAM` transfer mode.
 *
 * The Node.js runtime provides the global `awslambda` with `streamifyResponse(handler)` (marks a handler
 * `(event, responseStream, context)` as streaming; Lambda is then invoked with InvokeWithResponseStream) and
 * `HttpResponseStream.from(responseStream, { statusCode, headers })`, which writes the metadata API Gateway expects
 * before the body: the JSON metadata, then eight NUL bytes. Outside Lambda (tests, benchmarks) the global does not
 * exist; this module then does exactly the same itself, so a test can drive the handler with any `Writable` and read
 * the same bytes API Gateway would.
 *
 * @module
 */
import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { Cancellation } from './cancellation';

/** The symbol the Node.js runtime reads to know a handler streams (`awslambda.streamifyResponse` sets it). */
export const STREAMING_HANDLER_SYMBOL = Symbol.for('aws.lambda.runtime.handler.streaming');
/** Content type of a response stream that starts with HTTP metadata. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The separator between the metadata and the body. */
export const METADATA_DELIMITER = Buffer.alloc(8);

/** A handler that writes its response to a stream. */
export type StreamingHandler = (event: APIGatewayProxyEvent, responseStream: Writable, context?: Context) => Promise<void>;

/** Status and headers of a streamed HTTP response. */
export interface HttpResponseMetadata {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
}

interface AwsLambdaRuntime {
  streamifyResponse(handler: StreamingHandler): StreamingHandler;
  HttpResponseStream: { from(stream: Writable, metadata: HttpResponseMetadata): Writable };
}

function runtime(): AwsLambdaRuntime | undefined {
  // The runtime's global (typed by @types/aws-lambda as always present): absent outside Lambda, or present with
  // other members only (@aws/lambda-invoke-store, a dependency of Powertools, defines `awslambda.InvokeStore`).
  const global = (globalThis as unknown as { awslambda?: Partial<AwsLambdaRuntime> }).awslambda;
  return typeof global?.streamifyResponse === 'function' && typeof global.HttpResponseStream?.from === 'function' ? (global as AwsLambdaRuntime) : undefined;
}

/** `awslambda.streamifyResponse` in Lambda; elsewhere the handler itself, marked as the runtime marks it. */
export function streamifyResponse(handler: StreamingHandler): StreamingHandler {
  const lambdaRuntime = runtime();
  if (lambdaRuntime !== undefined) return lambdaRuntime.streamifyResponse(handler);
  const local: StreamingHandler = (event, responseStream, context) => handler(event, responseStream, context);
  Object.defineProperty(local, STREAMING_HANDLER_SYMBOL, { value: 'response' });
  return local;
}

/** Whether `handler` was made by {@link streamifyResponse}. */
export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && (handler as unknown as Record<symbol, unknown>)[STREAMING_HANDLER_SYMBOL] === 'response';
}

/**
 * `awslambda.HttpResponseStream.from` in Lambda; elsewhere writes the same metadata prelude (JSON, eight NUL bytes).
 * Returns the stream to write the body to.
 */
export function httpResponseStream(responseStream: Writable, metadata: HttpResponseMetadata): Writable {
  const lambdaRuntime = runtime();
  if (lambdaRuntime !== undefined) return lambdaRuntime.HttpResponseStream.from(responseStream, metadata);
  responseStream.write(JSON.stringify(metadata));
  responseStream.write(METADATA_DELIMITER);
  return responseStream;
}

/**
 * Where the gateway writes one streamed response: opened once with status and headers, then written, then ended.
 * `signal` aborts when the reader goes away (the stream closes or fails before {@link end}).
 *
 * Back-pressure: {@link write} returns `false` when the reader is behind (the Lambda response stream is a Node
 * `Writable`, and its `write` said so); the writer then awaits {@link drained} before it produces more, so a slow client
 * never makes the gateway hold the model's whole answer in memory.
 */
export interface ResponseTarget {
  /** Whether {@link open} was called: the status has left, errors can only be reported inside the body now. */
  readonly opened: boolean;
  /** Aborts when the client is gone. */
  readonly signal: Cancellation;
  open(metadata: HttpResponseMetadata): void;
  /** Writes `text`; `false` when the reader is behind and the writer should await {@link drained} first. */
  write(text: string): boolean;
  /** Resolves when the reader has caught up (at once if it is not behind), or the stream is gone. */
  drained(): Promise<void>;
  /** Ends the body; resolves when it is flushed (or the stream is gone). */
  end(): Promise<void>;
}

/** A {@link ResponseTarget} over a Lambda response stream. */
export class LambdaResponseTarget implements ResponseTarget {
  private body: Writable | undefined;
  private readonly cancellation = new Cancellation();
  private ended = false;

  constructor(private readonly responseStream: Writable) {
    const gone = () => {
      if (!this.ended) this.cancellation.abort();
    };
    responseStream.once('close', gone);
    responseStream.once('error', gone);
  }

  get opened(): boolean {
    return this.body !== undefined;
  }

  get signal(): Cancellation {
    return this.cancellation;
  }

  open(metadata: HttpResponseMetadata): void {
    if (this.body !== undefined) throw new Error('response already opened');
    this.body = httpResponseStream(this.responseStream, metadata);
  }

  write(text: string): boolean {
    if (this.body === undefined) throw new Error('response not opened');
    if (this.cancellation.aborted || this.body.destroyed) return true;
    return this.body.write(text);
  }

  drained(): Promise<void> {
    const body = this.body ?? this.responseStream;
    if (!body.writableNeedDrain || body.destroyed || this.cancellation.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        body.off('drain', done);
        body.off('close', done);
        body.off('error', done);
        this.cancellation.removeEventListener('abort', done);
        resolve();
      };
      body.on('drain', done);
      body.on('close', done);
      body.on('error', done);
      this.cancellation.addEventListener('abort', done, { once: true });
    });
  }

  end(): Promise<void> {
    this.ended = true;
    const body = this.body ?? this.responseStream;
    if (body.destroyed || body.writableFinished) return Promise.resolve();
    return new Promise<void>((resolve) => {
      body.once('close', () => resolve());
      body.once('error', () => resolve());
      body.end(() => resolve());
    });
  }
}
