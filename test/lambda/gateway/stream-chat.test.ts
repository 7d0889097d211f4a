/**
 * {@link streamChat} against a slow reader: the Lambda response stream is a Node `Writable`, and a client that reads
 * slowly must stop the gateway pulling from Bedrock (counted in events pulled, never in time). Bedrock is a fake whose
 * ConverseStream counts the events it hands out; the reader is a `Writable` that holds its write callbacks until
 * the test lets it read.
 */
import { Writable } from 'node:stream';
import type { BedrockRuntimeClient, ConverseStreamOutput } from '@aws-sdk/client-bedrock-runtime';
import type { AuditRecord } from '../../../lambda/gateway/audit';
import { LambdaResponseTarget } from '../../../lambda/gateway/response-stream';
import { StreamChatOptions, streamChat } from '../../../lambda/gateway/stream-chat';
import { StreamScreen } from '../../../lambda/gateway/stream-screen';

const CANARY = 'CNRY7F3K2QZ9XW4M';
const DELTA = 'The report covers revenue. '; // 27 characters per Bedrock event
const EVENTS = 2000;

/** A ConverseStream whose events are counted as they are pulled; with `hang`, it waits after them until aborted. */
function countingBedrock(deltas: number, hang = false): { client: BedrockRuntimeClient; pulled: () => number } {
  let pulled = 0;
  const events: ConverseStreamOutput[] = [
    ...Array.from({ length: deltas }, (): ConverseStreamOutput => ({ contentBlockDelta: { contentBlockIndex: 0, delta: { text: DELTA } } })),
    ...(hang ? [] : [
      { messageStop: { stopReason: 'end_turn' } } as ConverseStreamOutput,
      { metadata: { usage: { inputTokens: 10, outputTokens: deltas * 6, totalTokens: 10 + deltas * 6 }, metrics: { latencyMs: 1 } } } as ConverseStreamOutput,
    ]),
  ];
  const client = {
    send: (_command: unknown, options: { abortSignal: AbortSignal }) => Promise.resolve({
      stream: (async function* () {
        for (const event of events) {
          if (options.abortSignal.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
          pulled++;
          yield event;
        }
        if (hang) {
          await new Promise((_, reject) => options.abortSignal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
        }
      })(),
    }),
  } as unknown as BedrockRuntimeClient;
  return { client, pulled: () => pulled };
}

/** A reader that takes nothing in until {@link read} is called (it holds the write callbacks). */
class SlowReader extends Writable {
  received = '';
  private held: Array<() => void> = [];
  private reading = false;

  constructor() {
    super({ highWaterMark: 4096 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.received += chunk.toString('utf8');
    if (this.reading) callback();
    else this.held.push(callback);
  }

  read(): void {
    this.reading = true;
    for (const callback of this.held.splice(0)) callback();
  }
}

function options(client: BedrockRuntimeClient, target: LambdaResponseTarget, record: AuditRecord, settled: number[][], deadline?: number): StreamChatOptions {
  return {
    bedrock: client,
    input: { modelId: 'amazon.nova-lite-v1:0', messages: [] },
    policy: { maxAttempts: 1, timeoutMs: 10_000 },
    ...(deadline === undefined ? {} : { deadline }),
    target,
    head: { id: 'chatcmpl-test', created: 0, model: 'nova-lite', includeUsage: false },
    screen: new StreamScreen({ canary: CANARY, allowedLinkHosts: [] }),
    record,
    requestId: 'req-1',
    blockedInputMessage: 'blocked input',
    blockedOutputMessage: 'blocked output',
    screenToolUse: () => Promise.resolve([]),
    settle: (input, output) => {
      settled.push([input, output]);
      return Promise.resolve();
    },
    reserved: { inputTokens: 100, outputTokens: 4000 },
    block: () => undefined,
  };
}

/** Lets the event loop run `turns` times (no timers, no clock). */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** The text of the SSE content deltas in `body`. */
function contentOf(body: string): string {
  return body.split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> })
    .map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
}

describe('streamChat', () => {
  describe('back-pressure', () => {
    test('fails if a slow reader lets the gateway pull the Bedrock stream ahead of it: pulling stops until the reader catches up', async () => {
      // GIVEN a 54 KB answer in 2,000 Bedrock events and a reader that does not read yet
      const bedrock = countingBedrock(EVENTS);
      const reader = new SlowReader();
      const record = {} as AuditRecord;
      const settled: number[][] = [];
      const done = streamChat(options(bedrock.client, new LambdaResponseTarget(reader), record, settled));

      // WHEN the reader's buffer is full (its write said so) and the event loop has run for a while
      for (let i = 0; i < 10_000 && !reader.writableNeedDrain; i++) await turns(1);
      expect(reader.writableNeedDrain).toBe(true);
      const pulledWhenFull = bedrock.pulled();
      await turns(200);

      // THEN nothing more was pulled while the reader was behind: what was pulled is what filled the reader's buffer
      // plus the screen's window, a small part of the answer
      expect(bedrock.pulled()).toBe(pulledWhenFull);
      expect(pulledWhenFull * DELTA.length).toBeLessThanOrEqual(reader.writableHighWaterMark + 4 * 1024);
      expect(pulledWhenFull).toBeLessThan(EVENTS / 10);

      // WHEN the reader reads
      reader.read();
      await done;
      // THEN the whole answer arrived and was settled on its usage
      expect(bedrock.pulled()).toBe(EVENTS + 2);
      expect(contentOf(reader.received)).toBe(DELTA.repeat(EVENTS));
      expect(record.streamEnd).toBe('complete');
      expect(settled).toEqual([[10, EVENTS * 6]]);
    });
  });

  describe('deadline', () => {
    test('fails if a stream still running at the deadline is not ended cleanly: an error event, a close, the reservation settled', async () => {
      // GIVEN a stream that sends more than the hold-back window, then hangs; a deadline 2 s ahead (time enough, on a
      // busy machine, for the 60 deltas to be screened and released before it: nothing here compares timings)
      const bedrock = countingBedrock(60, true);
      const reader = new SlowReader();
      reader.read();
      const record = {} as AuditRecord;
      const settled: number[][] = [];
      // WHEN the deadline passes
      await streamChat(options(bedrock.client, new LambdaResponseTarget(reader), record, settled, Date.now() + 2000));
      // THEN the released text was followed by one error event, and the body ended
      expect(contentOf(reader.received).length).toBeGreaterThan(0);
      const events = reader.received.split('\n\n').filter((e) => e.length > 0);
      expect(JSON.parse(events.at(-1)!.slice(6))).toMatchObject({ error: { code: 'upstream_timeout' } });
      expect(reader.writableFinished).toBe(true);
      expect(record).toMatchObject({ streamEnd: 'deadline', decision: 'failed', reason: 'upstream_timeout', streamSettledReservation: true });
      expect(settled).toEqual([[100, 4000]]);
    });
  });
});
