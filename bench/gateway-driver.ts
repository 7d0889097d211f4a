/**
 * The measured process of bench/gateway.bench.ts, figures (a), (b) and (d). The bench bundles this file with esbuild
 * using the options of the deployed gateway bundle (`scripts/bundle-lambdas.mjs`: bundle, minify, platform node, target
 * node24, cjs, mainFields module,main, nothing external) and runs the bundle with plain `node`, as Lambda runs the
 * gateway: no TypeScript compiler in the heap, the gateway code and the AWS SDK as esbuild emits them. The bare SDK
 * calls it compares the gateway with run in this same process, on a client built by the gateway's own
 * `newBedrockClient`. Not meant to be run by hand:
 *
 *   node <bundle>.js --servers '{"bedrock":…,"streaming":…,"dynamo":…}' --iterations 600 --warmup 200 --out result.json
 *
 * It writes its samples (JSON, {@link DriverResult}) to `--out`; stdout carries Powertools' output, swallowed and
 * counted as in bench/gateway.bench.ts.
 */
import * as fs from 'node:fs';
import { Writable } from 'node:stream';
import { BedrockRuntimeClient, ConverseCommand, ConverseCommandInput, ConverseStreamCommand, ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BENCH_CONFIG as CONFIG, STREAM_DELTA_CHARS, STREAM_REPLY, prompt8k } from './inputs';
import { Auditor, newLogger, newMetrics } from '../lambda/gateway/audit';
import { newBedrockClient } from '../lambda/gateway/bedrock';
import { createHandler, createStreamingHandler, GatewayHandler } from '../lambda/gateway/index';
import { StreamScreen } from '../lambda/gateway/stream-screen';
import { fakeContext, toProxyEvent, userContext } from '../test/helpers/lambda-http-adapter';

const CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-key' };

/**
 * `off` and `on` are the buffered handler ({@link createHandler}, API Gateway's `BUFFERED` mode), which writes the audit
 * record before it returns the response; `streamOff` is the deployed entry point ({@link createStreamingHandler}, the
 * `STREAM` transfer mode), timed until its response has been written whole: it writes the audit record after that,
 * before the invocation ends (its next call starts only then, and its CPU counts in (b)).
 */
export type Kind = 'bare' | 'sdkDefault' | 'off' | 'streamOff' | 'on';
export const KINDS: readonly Kind[] = ['bare', 'sdkDefault', 'off', 'streamOff', 'on'];

/** One prepared call; resolves when it is done, with the time its response was complete when that came earlier. */
type Call = () => Promise<bigint | void>;

export interface Sampled {
  readonly latency: number[];
  readonly cpuPerCall: number[];
}

/** (d): per call, ms. */
export interface FirstToken {
  readonly gateway: number[];
  readonly bareFirst: number[];
  readonly bareWindow: number[];
  /**
   * The same bare call on the client's pooled HTTP/2 session (`isEventStream: false`, as the gateway sends it): the
   * SDK's default opens a session of its own for every event-stream operation, so this is the floor without that.
   */
  readonly pooledFirst: number[];
  readonly pooledWindow: number[];
  /** Characters the bare call must receive before the gateway's first release. */
  readonly windowChars: number;
}

/** (a'): per call, ms: the deployed entry point before, during and after its SDK call, and a bare call beside it. */
export interface Phases {
  readonly before: number[];
  readonly send: number[];
  readonly after: number[];
  readonly bare: number[];
}

/** What the driver writes to `--out`. */
export interface DriverResult {
  readonly node: string;
  readonly kinds: Record<Kind, Sampled>;
  readonly handlerAlone: number[];
  readonly aloneThenBare: number[];
  /**
   * (a) The bare call's latency in the second interleaved pass, beside the SDK-default client and the gateway with
   * quotas on (whose after-effects on the server, a new session's teardown and dynalite's work, stay in that pass).
   */
  readonly bareBesideOthers: number[];
  readonly stdoutBytesPerRequest: number;
  /** (a') the deployed entry point's phases, ms per call. */
  readonly phases: Phases;
  readonly firstToken: FirstToken;
  /** V8 heap in use at the end of the measurements, bytes. */
  readonly heapUsedBytes: number;
}

interface Servers {
  readonly bedrock: string;
  readonly streaming: string;
  readonly dynamo: string;
}

function arg(name: string): string {
  const at = process.argv.indexOf(name);
  const value = at > 0 ? process.argv[at + 1] : undefined;
  if (value === undefined) throw new Error(`gateway-driver: ${name} is required`);
  return value;
}

function positiveInteger(name: string): number {
  const value = Number(arg(name));
  if (!Number.isInteger(value) || value < 1) throw new Error(`gateway-driver: ${name} must be a positive integer, got ${arg(name)}`);
  return value;
}

async function measureRuntime(servers: Servers, iterations: number, warmup: number): Promise<Omit<DriverResult, 'node' | 'heapUsedBytes'>> {
  // The gateway's client configuration (one pooled HTTP/2 session) for both the handler and the bare call, and the
  // SDK's default configuration (a new session per request) as a second reference.
  const bedrock = newBedrockClient({ endpoint: servers.bedrock, region: 'us-east-1', credentials: CREDENTIALS });
  const sdkDefault = new BedrockRuntimeClient({ endpoint: servers.bedrock, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const dynamo = new DynamoDBClient({ endpoint: servers.dynamo, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const auditor = new Auditor(newLogger(), newMetrics());
  const off = createHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock, auditor });
  const streamOff = createStreamingHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock, auditor });
  const on = createHandler({ config: { ...CONFIG, quotasEnabled: true }, bedrock, dynamo, auditor });

  const prompt = prompt8k();
  const body = Buffer.from(JSON.stringify({ model: 'nova-lite', max_tokens: 512, messages: [{ role: 'user', content: prompt }] }));
  const claims = userContext('bench-user-0001', 'users');
  const bareInput: ConverseCommandInput = {
    modelId: CONFIG.models['nova-lite']!.modelId,
    system: [{ text: CONFIG.systemPrompt }],
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inferenceConfig: { maxTokens: 512 },
    guardrailConfig: { guardrailIdentifier: CONFIG.guardrailId, guardrailVersion: CONFIG.guardrailVersion, trace: 'enabled' },
  };

  // Each kind prepares its call outside the timed region (the event, as Lambda's runtime would hand it over), then
  // the call itself is timed.
  const event = () => toProxyEvent('POST', '/v1/chat/completions', {}, body, claims);
  const invoke = (handler: GatewayHandler) => () => {
    const ev = event();
    const ctx = fakeContext();
    return async () => {
      const res = await handler(ev, ctx);
      if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
    };
  };
  // The deployed entry point: the response goes to a Writable as Lambda's response stream (metadata prelude, then the
  // body); the response is complete when the stream has finished, the call when the handler has returned.
  const invokeStreaming = (): Call => {
    const ev = event();
    const ctx = fakeContext();
    return async () => {
      let head = '';
      let finished: bigint | undefined;
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          if (head.length < 32) head += chunk.toString('utf8');
          callback();
        },
      });
      sink.once('finish', () => {
        finished = process.hrtime.bigint();
      });
      await streamOff(ev, sink, ctx);
      if (!head.startsWith('{"statusCode":200')) throw new Error(`streaming handler answered ${head}`);
      return finished;
    };
  };
  const prepare: Record<Kind, () => Call> = {
    bare: () => async () => {
      await bedrock.send(new ConverseCommand(bareInput));
    },
    sdkDefault: () => async () => {
      await sdkDefault.send(new ConverseCommand(bareInput));
    },
    off: invoke(off),
    streamOff: invokeStreaming,
    on: invoke(on),
  };

  // Powertools writes to stdout as in Lambda; swallow it here (counting bytes).
  let stdoutBytes = 0;
  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stdoutBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    const cb = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }) as typeof process.stdout.write;

  const result = Object.fromEntries(KINDS.map((k) => [k, { latency: [] as number[], cpuPerCall: [] as number[] }])) as Record<Kind, Sampled>;
  // Requests of the gateway kinds in (b) (quotas off buffered and streaming, quotas on): what Powertools wrote, per request.
  let gatewayRequests = 0;
  try {
    // Warm-up: JIT, connection pools, HTTP/2 sessions.
    for (let i = 0; i < warmup; i++) for (const k of KINDS) await prepare[k]()();

    // (a) latency: interleaved, in a new order each iteration (a fixed seed), so that every kind follows every other
    // as often: a rotating order makes each kind follow the same one almost always, and what the server and the
    // client still do after a call then lands on the same kind every time. Two passes: the bare call and the gateway
    // with quotas off (buffered and deployed), then the bare call, the SDK-default client and quotas on, whose
    // after-effects (a new HTTP/2 session's teardown, dynalite's work in the server process) would otherwise fall on
    // the calls of the first pass.
    let seed = 0x2545f491;
    const random = (): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const bareBesideOthers: number[] = [];
    const passes: ReadonlyArray<readonly Kind[]> = [['bare', 'off', 'streamOff'], ['bare', 'sdkDefault', 'on']];
    for (const [pass, kinds] of passes.entries()) {
      const order = [...kinds];
      for (let i = 0; i < iterations; i++) {
        for (let j = order.length - 1; j > 0; j--) {
          const r = Math.floor(random() * (j + 1));
          [order[j], order[r]] = [order[r]!, order[j]!];
        }
        for (const k of order) {
          const call = prepare[k]();
          const t = process.hrtime.bigint();
          const complete = (await call()) ?? process.hrtime.bigint();
          (pass === 1 && k === 'bare' ? bareBesideOthers : result[k].latency).push(Number(complete - t) / 1e6);
        }
      }
    }

    // (b) CPU: blocks of sequential calls, interleaved, per-call CPU of each block.
    const bytesBefore = stdoutBytes;
    for (let round = 0; round < 9; round++) {
      for (const k of KINDS) {
        const n = 100;
        const prepared = Array.from({ length: n }, () => prepare[k]());
        const before = process.cpuUsage();
        for (const call of prepared) await call();
        const used = process.cpuUsage(before);
        result[k].cpuPerCall.push((used.user + used.system) / 1000 / n);
        if (k === 'off' || k === 'streamOff' || k === 'on') gatewayRequests += n;
      }
    }
    const gatewayBytes = stdoutBytes - bytesBefore;

    // (b') the handler alone: the same handler code with a Bedrock client stub that answers instantly (no network,
    // no SDK), so nothing but the gateway's own work is measured.
    const canned = await bedrock.send(new ConverseCommand(bareInput));
    const stub = { send: async () => canned } as unknown as BedrockRuntimeClient;
    const alone = invoke(createHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock: stub, auditor }));
    for (let i = 0; i < 200; i++) await alone()();
    const handlerAlone: number[] = [];
    for (let round = 0; round < 7; round++) {
      const prepared = Array.from({ length: 200 }, () => alone());
      const before = process.cpuUsage();
      for (const call of prepared) await call();
      const used = process.cpuUsage(before);
      handlerAlone.push((used.user + used.system) / 1000 / 200);
    }
    // (b'') where the rest goes: the stubbed handler and then a bare SDK call, one after the other, per pair. Its
    // excess over (b') + bare is what running the gateway's work and the SDK's in turn costs on top of each alone
    // (GC of both allocations together, caches, JIT feedback), not work inside or around the gateway's Bedrock call.
    const pair = () => {
      const gateway = alone();
      const sdk = prepare.bare();
      return async () => {
        await gateway();
        await sdk();
      };
    };
    const aloneThenBare: number[] = [];
    for (let round = 0; round < 7; round++) {
      const prepared = Array.from({ length: 100 }, () => pair());
      const before = process.cpuUsage();
      for (const call of prepared) await call();
      const used = process.cpuUsage(before);
      aloneThenBare.push((used.user + used.system) / 1000 / 100);
    }
    const phases = await measurePhases(bedrock, auditor, event, () => prepare.bare());
    const firstToken = await measureFirstToken(servers.streaming, auditor, prompt);
    return { kinds: result, handlerAlone, aloneThenBare, bareBesideOthers, stdoutBytesPerRequest: gatewayBytes / gatewayRequests, phases, firstToken };
  } finally {
    process.stdout.write = realWrite;
    bedrock.destroy();
    sdkDefault.destroy();
    dynamo.destroy();
  }
}

/**
 * (a') Where the deployed entry point's time goes: its Bedrock client wrapped so that each call notes when the SDK
 * call starts and ends, 300 calls interleaved with as many bare calls, per call: the gateway's work before its SDK
 * call (parse, authorization, pre-screen, the Converse input), the SDK call itself (beside the bare call's), and the
 * work after it until the response is written whole (output screen, response).
 */
async function measurePhases(bedrock: BedrockRuntimeClient, auditor: Auditor, event: () => ReturnType<typeof toProxyEvent>, bare: () => Call): Promise<Phases> {
  let sendStart = 0n;
  let sendEnd = 0n;
  const timed = {
    send: (command: ConverseCommand, options?: { abortSignal?: unknown }) => {
      sendStart = process.hrtime.bigint();
      return bedrock.send(command, options as Parameters<BedrockRuntimeClient['send']>[1]).finally(() => {
        sendEnd = process.hrtime.bigint();
      });
    },
  } as unknown as BedrockRuntimeClient;
  const handler = createStreamingHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock: timed, auditor });
  const call = async (): Promise<[number, number, number]> => {
    const ev = event();
    const ctx = fakeContext();
    let finished = 0n;
    const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
    sink.once('finish', () => {
      finished = process.hrtime.bigint();
    });
    const t = process.hrtime.bigint();
    await handler(ev, sink, ctx);
    return [Number(sendStart - t) / 1e6, Number(sendEnd - sendStart) / 1e6, Number(finished - sendEnd) / 1e6];
  };
  const out: Phases = { before: [], send: [], after: [], bare: [] };
  for (let i = 0; i < 100; i++) {
    await call();
    await bare()();
  }
  for (let i = 0; i < 300; i++) {
    const bareCall = bare();
    const timeBare = async () => {
      const t = process.hrtime.bigint();
      await bareCall();
      out.bare.push(Number(process.hrtime.bigint() - t) / 1e6);
    };
    if (i % 2 === 0) await timeBare();
    const [before, send, after] = await call();
    out.before.push(before);
    out.send.push(send);
    out.after.push(after);
    if (i % 2 === 1) await timeBare();
  }
  return out;
}

/** (d) time to first token, gateway (streaming handler) and bare ConverseStream, interleaved. */
async function measureFirstToken(endpoint: string, auditor: Auditor, prompt: string): Promise<FirstToken> {
  const bedrock = newBedrockClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS });
  const handler = createStreamingHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock, auditor });
  const body = Buffer.from(JSON.stringify({ model: 'nova-lite', max_tokens: 512, stream: true, messages: [{ role: 'user', content: prompt }] }));
  const claims = userContext('bench-user-0001', 'users');
  const bareInput: ConverseStreamCommandInput = {
    modelId: CONFIG.models['nova-lite']!.modelId,
    system: [{ text: CONFIG.systemPrompt }],
    messages: [{ role: 'user', content: [{ text: prompt }] }],
    inferenceConfig: { maxTokens: 512 },
    guardrailConfig: { guardrailIdentifier: CONFIG.guardrailId, guardrailVersion: CONFIG.guardrailVersion, trace: 'enabled', streamProcessingMode: 'sync' },
  };
  // Where the gateway's first release comes: the same screen, fed the same deltas.
  const screen = new StreamScreen({ canary: 'cnryaaaaaaaaaaaaaaaaaaaa', allowedLinkHosts: CONFIG.output.allowedLinkHosts, allowHtml: CONFIG.output.allowHtml });
  let windowChars = 0;
  for (let i = 0; i < STREAM_REPLY.length; i += STREAM_DELTA_CHARS) {
    const delta = STREAM_REPLY.slice(i, i + STREAM_DELTA_CHARS);
    windowChars += delta.length;
    const step = screen.push(delta);
    if (step.blocked || step.text.length > 0) break;
  }

  const gatewayCall = async (): Promise<number> => {
    const event = toProxyEvent('POST', '/v1/chat/completions', {}, body, claims);
    const context = fakeContext();
    let first: bigint | undefined;
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        if (first === undefined && /"content":"[^"]/.test(chunk.toString('utf8'))) first = process.hrtime.bigint();
        callback();
      },
    });
    const t = process.hrtime.bigint();
    await handler(event, sink, context);
    if (first === undefined) throw new Error('the gateway streamed no text');
    return Number(first - t) / 1e6;
  };
  const bareCall = async (pooled = false): Promise<[number, number]> => {
    // `isEventStream` is not in the SDK's option types; its NodeHttp2Handler reads it (see lambda/gateway/stream-chat.ts).
    const options: { readonly abortSignal?: undefined; readonly isEventStream?: false } = pooled ? { isEventStream: false } : {};
    const t = process.hrtime.bigint();
    const out = await bedrock.send(new ConverseStreamCommand(bareInput), options);
    let chars = 0;
    let first: bigint | undefined;
    let window: bigint | undefined;
    for await (const event of out.stream ?? []) {
      const text = event.contentBlockDelta?.delta?.text;
      if (text === undefined) continue;
      chars += text.length;
      first ??= process.hrtime.bigint();
      if (chars >= windowChars) window ??= process.hrtime.bigint();
    }
    if (first === undefined || window === undefined) throw new Error('the bare stream was too short');
    return [Number(first - t) / 1e6, Number(window - t) / 1e6];
  };
  try {
    for (let i = 0; i < 50; i++) {
      await gatewayCall();
      await bareCall();
      await bareCall(true);
    }
    const result = { gateway: [] as number[], bareFirst: [] as number[], bareWindow: [] as number[], pooledFirst: [] as number[], pooledWindow: [] as number[], windowChars };
    // The gateway and the bare call back to back, in alternating order (the pairs of the overhead); the pooled bare
    // call before or after the pair, alternating too.
    const orders = [['gateway', 'bare', 'pooled'], ['pooled', 'bare', 'gateway'], ['bare', 'gateway', 'pooled'], ['pooled', 'gateway', 'bare']];
    for (let i = 0; i < 200; i++) {
      for (const kind of orders[i % orders.length]!) {
        if (kind === 'gateway') result.gateway.push(await gatewayCall());
        else {
          const [first, window] = await bareCall(kind === 'pooled');
          (kind === 'pooled' ? result.pooledFirst : result.bareFirst).push(first);
          (kind === 'pooled' ? result.pooledWindow : result.bareWindow).push(window);
        }
      }
    }
    return result;
  } finally {
    bedrock.destroy();
  }
}

async function main(): Promise<void> {
  if ((process as unknown as Record<symbol, unknown>)[Symbol.for('ts-node.register.instance')] !== undefined) {
    throw new Error('gateway-driver: run the esbuild bundle with plain node (bench/gateway.bench.ts does), not this file under ts-node');
  }
  const servers = JSON.parse(arg('--servers')) as Servers;
  const measured = await measureRuntime(servers, positiveInteger('--iterations'), positiveInteger('--warmup'));
  const result: DriverResult = { node: process.version, ...measured, heapUsedBytes: process.memoryUsage().heapUsed };
  fs.writeFileSync(arg('--out'), JSON.stringify(result));
}

// Run only as the bundled entry point (`node <bundle>.js`), not when the bench imports this file for its types.
if (process.argv.includes('--servers')) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
