/**
 * One streamed chat answer: Bedrock ConverseStream in, OpenAI server-sent events out, nothing unscreened released.
 *
 * - **Guardrail mode `sync`.** Bedrock evaluates each batch of the answer with the guardrail before it sends it, so
 *   every character this module receives has passed the pinned guardrail version (content filters, denied topics,
 *   word and PII policies). In `async` mode Bedrock sends text at once and evaluates it in the background: an
 *   intervention arrives after the text it concerns, and our own hold-back (which only knows the deterministic
 *   screen) would by then have released some of it. `sync` costs latency (the guardrail's evaluation of a batch before
 *   its first character leaves), but the gateway holds the screen's window (`DEFAULT_HOLD_BACK_CHARS`) back anyway, so the first
 *   token waits for that much text whichever mode is chosen; `async` would save little and give up the guarantee.
 * - **Text** goes through {@link StreamScreen} (canary, links and bare URLs, secrets, smuggled Unicode, with a
 *   hold-back window); a block stops reading Bedrock and ends the stream with `finish_reason: "content_filter"`.
 * - **Tool calls** are buffered whole (`contentBlockStart` with `toolUse`, then the input deltas) and screened at the
 *   end exactly as in the non-streaming path (schema validation, argument screening, ApplyGuardrail), then sent.
 * - **The status line waits for the first released text.** Anything that fails before it (throttling, a guardrail
 *   refusing the prompt, a stream cut before any text was released) is an ordinary OpenAI error response with its
 *   status; after it, an error is a last `data: {"error": {...}}` event and a clean close.
 * - **Settlement.** Usage from the stream's `metadata` event settles the quota and budgets. A stream that ends without
 *   it (Bedrock cut or failed it, the client left, the screen blocked and the gateway stopped reading) settles the
 *   whole reservation: the input bound and the granted output tokens. Bedrock bills what it generated up to the cut,
 *   which the gateway cannot count, and the reservation is an upper bound of that; nothing is left reserved.
 *
 * The audit record says how the stream ended (`streamEnd`) and where: characters released and received.
 *
 * @module
 */
import { BedrockRuntimeClient, ContentBlock, ConverseStreamCommand, ConverseStreamCommandInput, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import { AuditRecord, BlockReason, summarizeAssessments } from './audit';
import { RetryPolicy, callWithRetries } from './bedrock';
import { Cancellation } from './cancellation';
import { ContentFilterError, GatewayError, UpstreamError, UpstreamTimeoutError, fromUpstreamError, toHttpResponse } from './errors';
import { classifyIntervention } from './intervention';
import { ResponseTarget } from './response-stream';
import type { Citation } from './retrieve';
import { ChunkHead, FinishReason, OpenAiToolCall, OpenAiUsage, SSE_DONE, completionChunk, finishReasonOf, sseData, usageChunk, reportedUsage, usageOf } from './response';
import { StreamScreen } from './stream-screen';

/** The guardrail's stream processing mode; see the module description for why `sync`. */
export const GUARDRAIL_STREAM_PROCESSING_MODE = 'sync';

/** How a streamed answer ended, in the audit record. */
export type StreamEnd = 'complete' | 'blocked' | 'bedrock_cut' | 'bedrock_error' | 'client_closed' | 'deadline' | 'failed';

/** What {@link streamChat} needs. */
export interface StreamChatOptions {
  readonly bedrock: BedrockRuntimeClient;
  /** The ConverseStream request (the Converse request with the guardrail's stream processing mode). */
  readonly input: ConverseStreamCommandInput;
  readonly policy: RetryPolicy;
  /**
   * Epoch ms at which the stream is ended: Bedrock is cancelled, the reservation settled, and an opened response gets
   * a last error event (`upstream_timeout`) and a clean close, before the invocation's own end. @default none
   */
  readonly deadline?: number;
  readonly target: ResponseTarget;
  readonly head: ChunkHead;
  readonly screen: StreamScreen;
  readonly record: AuditRecord;
  readonly requestId: string;
  readonly blockedInputMessage: string;
  readonly blockedOutputMessage: string;
  /** The non-streaming path's tool-call screening: the calls to send, or why they are refused. Fails closed. */
  readonly screenToolUse: (content: ContentBlock[]) => Promise<readonly OpenAiToolCall[] | BlockReason>;
  /** Settles quota and budgets (idempotent: the first call wins). */
  readonly settle: (inputTokens: number, outputTokens: number) => Promise<void>;
  /** What was reserved: settled when the stream carries no usage. */
  readonly reserved: { readonly inputTokens: number; readonly outputTokens: number };
  /** Records why a control refused the answer. */
  readonly block: (reason: BlockReason) => void;
  /** The grounding sources' citations, sent on the chunk carrying `finish_reason` of a complete answer. @default - none */
  readonly citations?: readonly Citation[];
}

interface PendingToolUse {
  readonly toolUseId: string;
  readonly name: string;
  input: string;
}

const EXCEPTION_MEMBERS = [
  'internalServerException', 'modelStreamErrorException', 'validationException', 'throttlingException', 'serviceUnavailableException',
] as const;

/**
 * Streams one answer to `target`. Throws a {@link GatewayError} only while nothing has been sent (the caller answers
 * with an ordinary error response); once the target is open it always ends the stream itself.
 */
export async function streamChat(opts: StreamChatOptions): Promise<void> {
  const { target, screen, record, head } = opts;
  record.stream = true;
  const cancel = new Cancellation();
  const onGone = (): void => cancel.abort();
  target.signal.addEventListener('abort', onGone, { once: true });
  let timedOut = false;
  const timer = opts.deadline === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    cancel.abort();
  }, Math.max(0, opts.deadline - Date.now()));

  /**
   * Opens the response if it is not open yet, then writes `events`: the role chunk and the first text leave in one
   * write. `false` when the reader is behind (see {@link ResponseTarget.write}).
   */
  const open = (events = ''): boolean => {
    if (target.opened) return events.length === 0 || target.write(events);
    target.open({
      statusCode: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-request-id': opts.requestId },
    });
    return target.write(sseData(completionChunk(head, { role: 'assistant', content: '' })) + events);
  };
  const release = (text: string): boolean => text.length === 0 || open(sseData(completionChunk(head, { content: text })));
  /** Back-pressure: waits until the reader has caught up, or the stream is cancelled (client gone, deadline). */
  const caughtUp = (): Promise<void> => new Promise<void>((resolve) => {
    if (cancel.aborted) return resolve();
    const done = (): void => {
      cancel.removeEventListener('abort', done);
      resolve();
    };
    cancel.addEventListener('abort', done, { once: true });
    void target.drained().then(done);
  });

  let stopReason: string | undefined;
  let usage: OpenAiUsage | undefined;
  let trace: { guardrail?: unknown } | undefined;
  let failure: unknown;
  let blocked: readonly string[] | undefined;
  const tools = new Map<number, PendingToolUse>();
  try {
    const call = await callWithRetries(
      (signal) => opts.bedrock.send(new ConverseStreamCommand(opts.input), pooledStreamOptions(signal)),
      opts.policy,
      opts.deadline,
      cancel,
    );
    record.bedrockAttempts = call.attempts;
    try {
      for await (const event of call.value.stream ?? []) {
        const exception = exceptionOf(event);
        if (exception !== undefined) {
          failure = exception;
          break;
        }
        if (event.contentBlockStart?.start?.toolUse !== undefined) {
          const use = event.contentBlockStart.start.toolUse;
          tools.set(event.contentBlockStart.contentBlockIndex ?? tools.size, { toolUseId: String(use.toolUseId ?? ''), name: String(use.name ?? ''), input: '' });
        } else if (event.contentBlockDelta?.delta !== undefined) {
          const delta = event.contentBlockDelta.delta;
          if (typeof delta.text === 'string') {
            let step;
            try {
              step = screen.push(delta.text);
            } catch {
              step = { blocked: true as const, reasons: ['screening-error'] };
            }
            if (step.blocked) {
              blocked = step.reasons;
              break;
            }
            // A slow reader: pull nothing more from Bedrock until it has caught up, so the answer is never buffered
            // here whole (Bedrock's stream then waits in HTTP/2 flow control).
            if (!release(step.text)) await caughtUp();
          } else if (typeof delta.toolUse?.input === 'string') {
            const pending = tools.get(event.contentBlockDelta.contentBlockIndex ?? -1);
            if (pending === undefined) {
              blocked = ['tool-input-without-start'];
              break;
            }
            pending.input += delta.toolUse.input;
          }
        } else if (event.messageStop !== undefined) {
          stopReason = event.messageStop.stopReason;
        } else if (event.metadata !== undefined) {
          // Without countable usage the stream is incomplete (below): the whole reservation is settled, never nothing.
          usage = reportedUsage(event.metadata.usage);
          trace = event.metadata.trace as { guardrail?: unknown } | undefined;
        }
      }
    } catch (err) {
      failure = err;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    target.signal.removeEventListener('abort', onGone);
  }
  // Stop Bedrock generating what nobody will read (a block, a failure, a client gone): a no-op after a clean end.
  cancel.abort();

  record.streamReceivedChars = screen.receivedChars;
  record.stopReason = stopReason;
  if (usage !== undefined) {
    record.inputTokens = usage.prompt_tokens;
    record.outputTokens = usage.completion_tokens;
    await opts.settle(usage.prompt_tokens, usage.completion_tokens);
  } else {
    record.streamSettledReservation = true;
    await opts.settle(opts.reserved.inputTokens, opts.reserved.outputTokens);
  }
  const settledUsage = usage ?? usageOf({ inputTokens: opts.reserved.inputTokens, outputTokens: opts.reserved.outputTokens });

  const finish = async (finishReason: FinishReason, end: StreamEnd, extra?: { content?: string; toolCalls?: readonly OpenAiToolCall[] }): Promise<void> => {
    record.streamEnd = end;
    record.finishReason = finishReason;
    record.streamReleasedChars = screen.releasedChars;
    if (target.signal.aborted) return target.end();
    open();
    if (extra?.toolCalls !== undefined && extra.toolCalls.length > 0) {
      target.write(sseData(completionChunk(head, { tool_calls: extra.toolCalls.map((c, index) => ({ index, ...c })) })));
    }
    // A refused answer cites nothing.
    const citations = end === 'complete' && opts.citations !== undefined ? { citations: opts.citations } : {};
    target.write(sseData(completionChunk(head, { ...(extra?.content === undefined ? {} : { content: extra.content }), ...citations }, finishReason)));
    if (head.includeUsage) target.write(sseData(usageChunk(head, settledUsage)));
    target.write(SSE_DONE);
    return target.end();
  };
  const fail = async (err: unknown, end: StreamEnd): Promise<void> => {
    record.streamEnd = end;
    record.streamReleasedChars = screen.releasedChars;
    record.decision = 'failed';
    record.reason = err instanceof GatewayError ? (err.code ?? err.type) : 'internal_error';
    if (!target.opened) throw err;
    if (!target.signal.aborted) target.write(`data: ${toHttpResponse(err, opts.requestId).body}\n\n`);
    return target.end();
  };
  const refuse = (reason: BlockReason): Promise<void> => {
    opts.block(reason);
    return finish('content_filter', 'blocked', { content: opts.blockedOutputMessage });
  };

  const conclude = async (): Promise<void> => {
    if (target.signal.aborted) {
      record.streamEnd = 'client_closed';
      record.streamReleasedChars = screen.releasedChars;
      return target.end();
    }
    if (timedOut && (stopReason === undefined || usage === undefined)) {
      return fail(new UpstreamTimeoutError('The answer did not finish within the time limit of the gateway.'), 'deadline');
    }
    if (failure !== undefined) return fail(fromUpstreamError(failure), 'bedrock_error');
    if (blocked !== undefined) {
      record.outputScreen = blocked;
      return refuse(blocked.includes('canary-leak') ? 'canary_leak' : 'output_screen');
    }
    if (stopReason === undefined || usage === undefined) {
      const err = timedOut ? new UpstreamTimeoutError() : new UpstreamError('The model stream ended before the answer was complete.', { statusCode: 502 });
      return fail(err, 'bedrock_cut');
    }

    if (stopReason === 'guardrail_intervened') {
      const intervention = classifyIntervention({ usage: { outputTokens: usage.completion_tokens }, trace: trace as never });
      record.guardrailPolicies = summarizeAssessments(intervention.assessments);
      if (!intervention.maskedOnly) {
        record.guardrailAction = `INTERVENED_${intervention.side.toUpperCase()}`;
        if (intervention.side === 'input' && !target.opened) {
          opts.block('guardrail_input');
          record.streamEnd = 'blocked';
          throw new ContentFilterError(opts.blockedInputMessage, { code: 'content_filter' });
        }
        return refuse('guardrail_output');
      }
      record.guardrailAction = intervention.side === 'output' ? 'MASKED_OUTPUT' : 'MASKED_INPUT';
    } else {
      record.guardrailAction = 'NONE';
      const policies = summarizeAssessments(trace?.guardrail);
      if (policies.length > 0) record.guardrailPolicies = policies;
    }

    let toolCalls: readonly OpenAiToolCall[] | undefined;
    if (tools.size > 0) {
      const content: ContentBlock[] = [];
      for (const pending of [...tools.entries()].sort((a, b) => a[0] - b[0]).map(([, p]) => p)) {
        let input: unknown;
        try {
          input = pending.input.length === 0 ? {} : JSON.parse(pending.input);
        } catch {
          record.outputScreen = ['tool-input-not-json'];
          return refuse('tool_call');
        }
        content.push({ toolUse: { toolUseId: pending.toolUseId, name: pending.name, input: input as never } });
      }
      const screened = await opts.screenToolUse(content);
      if (typeof screened === 'string') return refuse(screened);
      toolCalls = screened;
    }

    let rest;
    try {
      rest = screen.finish();
    } catch {
      rest = { blocked: true as const, reasons: ['screening-error'] };
    }
    const findings = screen.findings;
    if (findings.removedLinks > 0) record.outputLinksRemoved = findings.removedLinks;
    if (findings.redactions > 0) record.outputRedactions = findings.redactions;
    if (rest.blocked) {
      record.outputScreen = rest.reasons;
      return refuse(rest.reasons.includes('canary-leak') ? 'canary_leak' : 'output_screen');
    }
    if (findings.reasons.length > 0) record.outputScreen = findings.reasons;
    release(rest.text);
    const reason = toolCalls !== undefined && toolCalls.length > 0 ? 'tool_calls' : finishReasonOf(stopReason);
    return finish(reason === 'tool_calls' && toolCalls === undefined ? 'stop' : reason, 'complete', toolCalls === undefined ? undefined : { toolCalls });
  };
  try {
    await conclude();
  } catch (err) {
    // Before the first byte the caller answers with an ordinary error; after it (ApplyGuardrail on the tool calls
    // failed, say) the stream ends with an error event (anything but a GatewayError as a generic 500 body).
    if (!target.opened) throw err;
    await fail(err, 'failed');
  }
}

/**
 * The options of the ConverseStream call: its attempt's signal, and the pooled HTTP/2 session.
 *
 * The SDK sends every operation with an event stream (ConverseStream's is in the response) on a session of its own,
 * whatever the client's `disableConcurrentStreams` says: a new connection, and against Bedrock a new TLS handshake,
 * before every streamed answer's first byte, closed after it (its `NodeHttp2Handler` reads `isEventStream`, which
 * the command sets unless the caller's options already do). That isolation serves bidirectional streams, whose
 * request body is an event stream too; ConverseStream's request is one JSON body, as Converse's, so it takes the
 * gateway's pooled session (`newBedrockClient`) like every other call. HTTP/2 flow control is per stream: a slow
 * reader pausing this stream (back-pressure) stops only its own window, never the session's other streams, and a
 * pooled session that the endpoint closed fails with a transport error, which {@link callWithRetries} retries.
 */
function pooledStreamOptions(signal: Cancellation): { readonly abortSignal: Cancellation; readonly isEventStream: false } {
  return { abortSignal: signal, isEventStream: false };
}

function exceptionOf(event: ConverseStreamOutput): Error | undefined {
  for (const member of EXCEPTION_MEMBERS) {
    const value = (event as unknown as Record<string, unknown>)[member];
    if (value !== undefined) {
      const name = member.charAt(0).toUpperCase() + member.slice(1);
      const err = new Error(typeof (value as { message?: unknown }).message === 'string' ? (value as { message: string }).message : name);
      err.name = name;
      return err;
    }
  }
  return undefined;
}
