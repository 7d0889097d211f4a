/**
 * {@link Cancellation}: the gateway's one-shot signal, and the count of `AbortController`s a request creates through
 * the real handler and the real SDK against the loopback Bedrock server (none: each costs about 25 µs on Node.js 20).
 * The counts are of constructions, never of time.
 */
import { Writable } from 'node:stream';
import { AuditRecord, Auditor, newLogger, newMetrics } from '../../../lambda/gateway/audit';
import { newBedrockClient } from '../../../lambda/gateway/bedrock';
import { Cancellation } from '../../../lambda/gateway/cancellation';
import { createHandler, createStreamingHandler } from '../../../lambda/gateway/index';
import { BedrockServer, startBedrockServer } from '../../helpers/bedrock-server';
import { fakeCredentials } from '../../helpers/dynalite';
import { fakeContext, toProxyEvent, userContext } from '../../helpers/lambda-http-adapter';
import { StdoutCapture, TEST_CONFIG } from './gateway-fixtures';

describe('Cancellation', () => {
  describe('defaults', () => {
    test('abort calls every listener once, in the order added, then onabort, and keeps the reason', () => {
      // GIVEN two listeners and an onabort handler
      const c = new Cancellation();
      const calls: string[] = [];
      c.addEventListener('abort', () => calls.push('a'));
      c.addEventListener('abort', () => calls.push('b'), { once: true });
      c.onabort = () => calls.push('onabort');
      // WHEN it aborts twice
      c.abort('deadline');
      c.abort('again');
      // THEN each ran once and the first reason stays
      expect(calls).toEqual(['a', 'b', 'onabort']);
      expect(c.aborted).toBe(true);
      expect(c.reason).toBe('deadline');
    });

    test('a listener added after the abort runs at once; a removed one never runs', () => {
      const c = new Cancellation();
      const calls: string[] = [];
      const removed = (): void => {
        calls.push('removed');
      };
      c.addEventListener('abort', removed);
      c.removeEventListener('abort', removed);
      c.abort();
      c.addEventListener('abort', () => calls.push('late'));
      expect(calls).toEqual(['late']);
    });

    test('a throwing listener does not keep the others from running', () => {
      const c = new Cancellation();
      const calls: string[] = [];
      c.addEventListener('abort', () => {
        throw new Error('listener failed');
      });
      c.addEventListener('abort', () => calls.push('second'));
      expect(() => c.abort()).not.toThrow();
      expect(calls).toEqual(['second']);
    });

    test('follow aborts the child with the parent, at once when the parent already aborted, and not after unlinking', () => {
      const parent = new Cancellation();
      const linked = new Cancellation();
      const unlinked = new Cancellation();
      linked.follow(parent);
      unlinked.follow(parent)();
      parent.abort('gone');
      expect(linked.aborted).toBe(true);
      expect(linked.reason).toBe('gone');
      expect(unlinked.aborted).toBe(false);

      const late = new Cancellation();
      late.follow(parent);
      expect(late.aborted).toBe(true);
    });
  });
});

describe('AbortControllers per request through the handler', () => {
  const stdout = new StdoutCapture();
  let server: BedrockServer;
  const RealAbortController = globalThis.AbortController;
  let constructed = 0;

  beforeAll(async () => {
    server = await startBedrockServer();
    stdout.start();
    // Counts constructions and otherwise behaves as the real class.
    globalThis.AbortController = class extends RealAbortController {
      constructor() {
        super();
        constructed++;
      }
    };
  });
  afterAll(async () => {
    globalThis.AbortController = RealAbortController;
    stdout.stop();
    await server.close();
  });

  const body = (stream: boolean) => Buffer.from(JSON.stringify({ model: 'nova-lite', stream, messages: [{ role: 'user', content: 'Summarize the report.' }] }));
  const claims = userContext('cancellation-user', 'users');
  const config = { ...TEST_CONFIG, quotasEnabled: false };

  test('fails if a non-streamed chat request through the buffered handler creates an AbortController', async () => {
    // GIVEN the buffered handler and the real SDK client against the loopback server
    server.setBehavior({ kind: 'reply', text: 'The report is fine.' });
    const bedrock = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() });
    const handler = createHandler({ config, bedrock, auditor: new Auditor(newLogger(), newMetrics()) });
    try {
      // WHEN a request is served (the first one too: nothing is created per container either)
      constructed = 0;
      const res = await handler(toProxyEvent('POST', '/v1/chat/completions', {}, body(false), claims), fakeContext());
      // THEN it was answered, and no AbortController was created for it
      expect(res.statusCode).toBe(200);
      expect(constructed).toBe(0);
    } finally {
      bedrock.destroy();
    }
  });

  test('fails if a streamed chat request through the streaming handler creates an AbortController', async () => {
    // GIVEN the streaming handler, a response stream and the loopback server streaming a reply
    server.setBehavior({ kind: 'reply', text: 'The quarterly report covers revenue and hiring. '.repeat(30) });
    const bedrock = newBedrockClient({ endpoint: server.url, region: 'us-east-1', credentials: fakeCredentials() });
    const records: AuditRecord[] = [];
    const auditor = new Auditor(newLogger(), newMetrics());
    const emit = auditor.emit.bind(auditor);
    auditor.emit = (record) => {
      records.push(record);
      emit(record);
    };
    const handler = createStreamingHandler({ config, bedrock, auditor });
    let received = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.toString('utf8');
        callback();
      },
    });
    try {
      // WHEN a streamed request is served
      constructed = 0;
      await handler(toProxyEvent('POST', '/v1/chat/completions', {}, body(true), claims), sink, fakeContext());
      // THEN the whole answer was streamed, and no AbortController was created for it
      expect(records[0]?.streamEnd).toBe('complete');
      expect(received).toContain('data: [DONE]');
      expect(constructed).toBe(0);
    } finally {
      bedrock.destroy();
    }
  });
});
