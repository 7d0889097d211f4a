/**
 * Gateway benchmark.
 *
 *   npx ts-node --transpile-only bench/gateway.bench.ts [--iterations 600] [--bundle-only]
 *
 * (a) Latency: the gateway handler end to end (real Bedrock Runtime client, real DynamoDB client) against a
 *     zero-latency loopback Bedrock server, versus a bare SDK Converse call to the same server with the same client
 *     (one pooled HTTP/2 session, shared by both) and, for reference, the SDK's default client; 8 KB prompt; quotas
 *     off, then quotas on against dynalite. The servers run in a child process (this file with `--serve`) so their
 *     CPU does not count as the gateway's; they keep no request log (it would grow the server's heap and GC).
 *     Each handler call gets a fresh event built before its timer starts (Lambda's runtime builds the event, not the
 *     gateway). 200 warm-up calls per kind, then the kinds interleaved in a rotating order; medians.
 * (b) CPU: `process.cpuUsage()` per handler call minus per bare SDK call = the gateway's own CPU per request; the
 *     handler alone (Bedrock stubbed); and the stubbed handler followed by a bare call, whose excess over the two
 *     alone shows how much of the difference is the cost of interleaving the two workloads (GC, caches), not work the
 *     gateway adds to its Bedrock call (whose request, client and signal cost the same CPU as the bare call's).
 * (c) Bundle: the pre-built gateway bundle the package ships (`dist/bundles/gateway/index.js`, from
 *     `scripts/bundle-lambdas.mjs`: bundle, minify, platform node, target node24, mainFields module,main) versus a bundle that only imports
 *     `@aws-sdk/client-bedrock-runtime` and creates a client, built the same way; sizes and cold `require` times
 *     (wall and CPU) in fresh `node` processes, interleaved, median of 15. The same pair with esbuild's default
 *     mainFields (main first) is shown for reference.
 *
 * (d) Time to first token: `stream: true` through the gateway's streaming handler (a `Writable` as the Lambda
 *     response stream) versus a bare ConverseStream call with the same client, against a second loopback server that
 *     streams a 4 KB reply in 16-character deltas. The gateway holds text back until its output screen has seen
 *     enough look-ahead (`DEFAULT_HOLD_BACK_CHARS`); the bare call's time to receive that much (the same
 *     StreamScreen, fed the same deltas, says after how many characters the first release comes) is the floor the
 *     gateway is compared with: its overhead is its time to first token minus that (target <= 1 ms).
 *
 * Powertools output (audit records, EMF) is serialized as in Lambda but not printed during measurement. The machine's
 * load average is printed: on a shared machine, compare runs only at similar load.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { BedrockRuntimeClient, ConverseCommand, ConverseCommandInput, ConverseStreamCommand, ConverseStreamCommandInput } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import { BENCH_CONFIG, prompt8k } from './inputs';
import { GATEWAY_CONFIG_FILE_NAME, GATEWAY_ENV } from '../lambda/shared/gateway-contract';

const root = path.join(__dirname, '..');
const argIndex = process.argv.indexOf('--iterations');
const ITERATIONS = argIndex > 0 ? Number(process.argv[argIndex + 1]) : 600;
const WARMUP = 200;
const IMPORT_RUNS = 15;
const CREDENTIALS = { accessKeyId: 'AKIDTESTTESTTESTTEST', secretAccessKey: 'test-secret-key' };
const CONFIG = BENCH_CONFIG;
const TABLE = CONFIG.quotaTableName;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The streamed reply of (d): 4 KB of benign prose. */
const STREAM_REPLY = 'The quarterly report covers revenue, hiring and the roadmap for the next two product releases. '.repeat(41).slice(0, 4096);
/** Characters per delta of the fake's ConverseStream (its STREAM_CHUNK_CHARS). */
const STREAM_DELTA_CHARS = 16;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Child process: the loopback servers.
// ---------------------------------------------------------------------------------------------------------------

async function serve(): Promise<void> {
  const { startBedrockServer } = await import('../test/helpers/bedrock-server');
  const { startDynalite, createUsageTable } = await import('../test/helpers/dynalite');
  const [bedrock, streaming, db] = await Promise.all([startBedrockServer(), startBedrockServer(), startDynalite()]);
  streaming.setBehavior({ kind: 'reply', text: STREAM_REPLY });
  await createUsageTable(db.endpoint, TABLE);
  // The fake records every request for tests; a benchmark does not need them.
  const trim = setInterval(() => {
    bedrock.requests.length = 0;
    streaming.requests.length = 0;
  }, 200);
  process.stdout.write(`${JSON.stringify({ bedrock: bedrock.url, streaming: streaming.url, dynamo: db.endpoint })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    clearInterval(trim);
    void Promise.all([bedrock.close(), streaming.close(), db.close()]).then(() => process.exit(0));
  });
}

async function startServers(): Promise<{ bedrock: string; streaming: string; dynamo: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, '--serve'], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  const urls = JSON.parse(line) as { bedrock: string; streaming: string; dynamo: string };
  return { ...urls, stop: () => child.stdin.end() };
}

// ---------------------------------------------------------------------------------------------------------------
// (a) + (b) latency and CPU.
// ---------------------------------------------------------------------------------------------------------------

type Kind = 'bare' | 'sdkDefault' | 'off' | 'on';
const KINDS: readonly Kind[] = ['bare', 'sdkDefault', 'off', 'on'];

interface Sampled {
  readonly latency: number[];
  readonly cpuPerCall: number[];
}

/** (d): per call, ms. */
interface FirstToken {
  readonly gateway: number[];
  readonly bareFirst: number[];
  readonly bareWindow: number[];
  /** Characters the bare call must receive before the gateway's first release. */
  readonly windowChars: number;
}

async function measureRuntime(): Promise<Record<Kind, Sampled> & { handlerAlone: number[]; aloneThenBare: number[]; stdoutBytesPerRequest: number; firstToken: FirstToken }> {
  const servers = await startServers();
  // Imported here so the module-scope clients of index.ts see a region.
  process.env.AWS_REGION = 'us-east-1';
  const { createHandler } = await import('../lambda/gateway/index');
  const { Auditor, newLogger, newMetrics } = await import('../lambda/gateway/audit');
  const { toProxyEvent, fakeContext, userContext } = await import('../test/helpers/lambda-http-adapter');

  const { newBedrockClient } = await import('../lambda/gateway/bedrock');
  // The gateway's client configuration (one pooled HTTP/2 session) for both the handler and the bare call, and the
  // SDK's default configuration (a new session per request) as a second reference.
  const bedrock = newBedrockClient({ endpoint: servers.bedrock, region: 'us-east-1', credentials: CREDENTIALS });
  const sdkDefault = new BedrockRuntimeClient({ endpoint: servers.bedrock, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const dynamo = new DynamoDBClient({ endpoint: servers.dynamo, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  const auditor = new Auditor(newLogger(), newMetrics());
  const off = createHandler({ config: { ...CONFIG, quotasEnabled: false }, bedrock, auditor });
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
  const invoke = (handler: ReturnType<typeof createHandler>) => () => {
    const ev = event();
    const ctx = fakeContext();
    return async () => {
      const res = await handler(ev, ctx);
      if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
    };
  };
  const prepare: Record<Kind, () => () => Promise<void>> = {
    bare: () => async () => {
      await bedrock.send(new ConverseCommand(bareInput));
    },
    sdkDefault: () => async () => {
      await sdkDefault.send(new ConverseCommand(bareInput));
    },
    off: invoke(off),
    on: invoke(on),
  };
  const calls = Object.fromEntries(KINDS.map((k) => [k, () => prepare[k]()()])) as Record<Kind, () => Promise<void>>;

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
  let offRequests = 0;
  try {
    // Warm-up: JIT, connection pools, HTTP/2 sessions.
    for (let i = 0; i < WARMUP; i++) for (const k of KINDS) await calls[k]();

    // (a) latency: interleaved, rotating order.
    const order = KINDS;
    for (let i = 0; i < ITERATIONS; i++) {
      for (let j = 0; j < order.length; j++) {
        const k = order[(i + j) % order.length]!;
        const call = prepare[k]();
        const t = process.hrtime.bigint();
        await call();
        result[k].latency.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }

    // (b) CPU: blocks of sequential calls, interleaved, per-call CPU of each block.
    const bytesBefore = stdoutBytes;
    for (let round = 0; round < 9; round++) {
      for (const k of order) {
        const n = 100;
        const prepared = Array.from({ length: n }, () => prepare[k]());
        const before = process.cpuUsage();
        for (const call of prepared) await call();
        const used = process.cpuUsage(before);
        result[k].cpuPerCall.push((used.user + used.system) / 1000 / n);
        if (k === 'off') offRequests += n;
      }
    }
    const offBytes = stdoutBytes - bytesBefore;

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
    const firstToken = await measureFirstToken(servers.streaming, auditor, prompt);
    return { ...result, handlerAlone, aloneThenBare, stdoutBytesPerRequest: offBytes / (offRequests * 2), firstToken };
  } finally {
    process.stdout.write = realWrite;
    bedrock.destroy();
    sdkDefault.destroy();
    dynamo.destroy();
    servers.stop();
  }
}

/** (d) time to first token, gateway (streaming handler) and bare ConverseStream, interleaved. */
async function measureFirstToken(endpoint: string, auditor: import('../lambda/gateway/audit').Auditor, prompt: string): Promise<FirstToken> {
  const { createStreamingHandler } = await import('../lambda/gateway/index');
  const { newBedrockClient } = await import('../lambda/gateway/bedrock');
  const { StreamScreen } = await import('../lambda/gateway/stream-screen');
  const { toProxyEvent, fakeContext, userContext } = await import('../test/helpers/lambda-http-adapter');
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
  const bareCall = async (): Promise<[number, number]> => {
    const t = process.hrtime.bigint();
    const out = await bedrock.send(new ConverseStreamCommand(bareInput));
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
    }
    const result = { gateway: [] as number[], bareFirst: [] as number[], bareWindow: [] as number[], windowChars };
    for (let i = 0; i < 200; i++) {
      const order = i % 2 === 0 ? ['gateway', 'bare'] : ['bare', 'gateway'];
      for (const kind of order) {
        if (kind === 'gateway') result.gateway.push(await gatewayCall());
        else {
          const [first, window] = await bareCall();
          result.bareFirst.push(first);
          result.bareWindow.push(window);
        }
      }
    }
    return result;
  } finally {
    bedrock.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// (c) bundles.
// ---------------------------------------------------------------------------------------------------------------

interface BundleStats {
  readonly bytes: number;
  /** `require` wall time inside a fresh process, ms. */
  readonly importMs: number[];
  /** `require` CPU time (user + system) inside a fresh process, ms. */
  readonly importCpuMs: number[];
  /** Wall time of the whole `node -e 'require(...)'` process, ms. */
  readonly wallMs: number[];
}

interface BundlePair {
  readonly gateway: BundleStats;
  readonly sdk: BundleStats;
}

/** The esbuild options of `scripts/bundle-lambdas.mjs`, which builds the bundle the package ships (target node24). */
const DEPLOYED_BUNDLING = { mainFields: ['module', 'main'], target: 'node24' };

async function measureBundles(): Promise<{ deployed: BundlePair; mainFirst: BundlePair; node: number[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-bench-'));
  const { guardrailId: _g, guardrailVersion: _v, quotaTableName: _q, ...staticConfig } = CONFIG;
  const buildPair = async (name: string, mainFields: string[] | undefined): Promise<{ gateway: string; sdk: string }> => {
    const common = {
      bundle: true, minify: true, platform: 'node' as const, target: DEPLOYED_BUNDLING.target, format: 'cjs' as const, logLevel: 'silent' as const,
      ...(mainFields ? { mainFields } : {}),
    };
    const gateway = path.join(dir, `gateway-${name}.js`);
    const sdk = path.join(dir, `sdk-only-${name}.js`);
    if (name === 'deployed') {
      // The bundle the package ships and the construct deploys, byte for byte (npm run build:bundles).
      fs.copyFileSync(path.join(root, 'dist', 'bundles', 'gateway', 'index.js'), gateway);
    } else {
      await build({ ...common, entryPoints: [path.join(root, 'lambda/gateway/index.ts')], outfile: gateway });
    }
    await build({
      ...common,
      stdin: {
        contents: "import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';\nexport const client = new BedrockRuntimeClient({ maxAttempts: 1 });\n",
        resolveDir: root,
        loader: 'ts',
        sourcefile: 'sdk-only.ts',
      },
      outfile: sdk,
    });
    return { gateway, sdk };
  };
  // The configuration file the construct writes beside the bundle; both gateway bundles read it from their directory.
  fs.writeFileSync(path.join(dir, GATEWAY_CONFIG_FILE_NAME), JSON.stringify(staticConfig));
  const deployed = await buildPair('deployed', DEPLOYED_BUNDLING.mainFields);
  const mainFirst = await buildPair('main-first', undefined);

  const env = { ...process.env, AWS_REGION: 'us-east-1', [GATEWAY_ENV.staticConfigFile]: GATEWAY_CONFIG_FILE_NAME, GUARDRAIL_ID: CONFIG.guardrailId, GUARDRAIL_VERSION: CONFIG.guardrailVersion, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' };
  const timeImport = (file: string | undefined): { importMs: number; importCpuMs: number; wallMs: number } => {
    const script = file === undefined
      ? 'process.stdout.write("0 0")'
      : `const c=process.cpuUsage(),t=process.hrtime.bigint();require(${JSON.stringify(file)});const w=Number(process.hrtime.bigint()-t)/1e6,u=process.cpuUsage(c);process.stdout.write(w+" "+(u.user+u.system)/1000)`;
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['--no-warnings', '-e', script], { env, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (r.status !== 0) throw new Error(`node -e require(${file}) failed: ${r.stderr}`);
    const [importMs, importCpuMs] = r.stdout.split(' ').map(Number) as [number, number];
    return { importMs, importCpuMs, wallMs };
  };
  const stats = (file: string): BundleStats => ({ bytes: fs.statSync(file).size, importMs: [], importCpuMs: [], wallMs: [] });
  const files = [deployed.gateway, deployed.sdk, mainFirst.gateway, mainFirst.sdk];
  const all = new Map(files.map((f) => [f, stats(f)]));
  const node: number[] = [];
  for (const f of files) timeImport(f);
  for (let i = 0; i < IMPORT_RUNS; i++) {
    for (const f of i % 2 ? [...files].reverse() : files) {
      const t = timeImport(f);
      const st = all.get(f)!;
      st.importMs.push(t.importMs);
      st.importCpuMs.push(t.importCpuMs);
      st.wallMs.push(t.wallMs);
    }
    node.push(timeImport(undefined).wallMs);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    deployed: { gateway: all.get(deployed.gateway)!, sdk: all.get(deployed.sdk)! },
    mainFirst: { gateway: all.get(mainFirst.gateway)!, sdk: all.get(mainFirst.sdk)! },
    node,
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const loadBefore = os.loadavg();
  const bundles = await measureBundles();
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const kb = (b: number) => `${(b / 1024).toFixed(0)} KB`;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const bundleLines = (label: string, pair: BundlePair): string[] => {
    const [g, s] = [pair.gateway, pair.sdk];
    const row = (name: string, b: BundleStats) =>
      `    ${name.padEnd(34)}${kb(b.bytes).padEnd(9)} ${ms(median(b.importMs)).padEnd(12)} ${ms(median(b.importCpuMs)).padEnd(12)} ${ms(median(b.wallMs))}`;
    return [
      `    ${label}`,
      row('SDK client only', s),
      row('gateway', g),
      `    ${'ratio gateway / SDK only'.padEnd(34)}${x(g.bytes, s.bytes).padEnd(9)} ${x(median(g.importMs), median(s.importMs)).padEnd(12)} ${x(median(g.importCpuMs), median(s.importCpuMs)).padEnd(12)} ${x(median(g.wallMs), median(s.wallMs))}   (target <= 1.5x)`,
    ];
  };
  const bundleReport = [
    `(c) bundle (esbuild, minify, target ${DEPLOYED_BUNDLING.target}, cjs)  size      require      require CPU  process wall  (medians of ${IMPORT_RUNS})`,
    ...bundleLines(`as deployed (mainFields ${DEPLOYED_BUNDLING.mainFields.join(',')}):`, bundles.deployed),
    ...bundleLines('for reference, esbuild default mainFields (main first):', bundles.mainFirst),
    `    (empty node process: ${ms(median(bundles.node))})`,
  ];
  if (process.argv.includes('--bundle-only')) {
    console.log(bundleReport.join('\n'));
    return;
  }
  const rt = await measureRuntime();
  const loadAfter = os.loadavg();

  const bare = median(rt.bare.latency);
  const off = median(rt.off.latency);
  const on = median(rt.on.latency);
  const cpuBare = median(rt.bare.cpuPerCall);
  const cpuOff = median(rt.off.cpuPerCall);
  const cpuOn = median(rt.on.cpuPerCall);
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');

  console.log(`gateway benchmark — node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, 8 KB prompt, ${ITERATIONS} interleaved iterations`);
  console.log(`load average (1, 5, 15 min): ${load(loadBefore)} at start, ${load(loadAfter)} at end`);
  console.log('');
  console.log('(a) latency per request           median      p90        ratio  target');
  console.log(`    bare SDK Converse             ${ms(bare).padEnd(11)} ${ms(percentile(rt.bare.latency, 90)).padEnd(10)} 1.00x`);
  console.log(`    bare SDK, SDK-default client  ${ms(median(rt.sdkDefault.latency)).padEnd(11)} ${ms(percentile(rt.sdkDefault.latency, 90)).padEnd(10)} ${x(median(rt.sdkDefault.latency), bare)}  (new HTTP/2 session per request)`);
  console.log(`    gateway, quotas off           ${ms(off).padEnd(11)} ${ms(percentile(rt.off.latency, 90)).padEnd(10)} ${x(off, bare)}  <= 1.2x`);
  console.log(`    gateway, quotas on (dynalite) ${ms(on).padEnd(11)} ${ms(percentile(rt.on.latency, 90)).padEnd(10)} ${x(on, bare)}`);
  console.log('');
  console.log('(b) CPU per request (process.cpuUsage, median of 9 blocks of 100)');
  console.log(`    bare SDK Converse             ${ms(cpuBare)}`);
  console.log(`    bare SDK, SDK-default client  ${ms(median(rt.sdkDefault.cpuPerCall))}`);
  console.log(`    gateway, quotas off           ${ms(cpuOff)}   own: ${ms(cpuOff - cpuBare)}  (target <= 1 ms)`);
  console.log(`    gateway, quotas on            ${ms(cpuOn)}   own incl. 2 DynamoDB calls: ${ms(cpuOn - cpuBare)}`);
  console.log(`    handler alone, Bedrock stubbed ${ms(median(rt.handlerAlone))}   (median of 7 blocks of 200; target <= 1 ms)`);
  console.log(`    stubbed handler, then bare call ${ms(median(rt.aloneThenBare))}   (median of 7 blocks of 100 pairs; excess over handler alone + bare: ${ms(median(rt.aloneThenBare) - median(rt.handlerAlone) - cpuBare)})`);
  console.log(`    Powertools stdout per request ${(rt.stdoutBytesPerRequest).toFixed(0)} bytes`);
  console.log('');
  const ft = rt.firstToken;
  const window = median(ft.bareWindow);
  const gatewayFirst = median(ft.gateway);
  console.log(`(d) time to first token, stream: true (4 KB reply in ${STREAM_DELTA_CHARS}-character deltas, median of 200 interleaved)`);
  console.log(`    bare ConverseStream, first delta            ${ms(median(ft.bareFirst))}`);
  console.log(`    bare ConverseStream, first ${String(ft.windowChars).padEnd(4)} characters  ${ms(window)}   (the hold-back window: the gateway's first release needs this much)`);
  console.log(`    gateway, first text chunk                   ${ms(gatewayFirst)}   overhead over the window: ${ms(gatewayFirst - window)}  (target <= 1 ms)`);
  console.log('');
  console.log(bundleReport.join('\n'));
}

if (process.argv.includes('--serve')) {
  void serve();
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
