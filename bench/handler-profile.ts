/**
 * The gateway handler in process, Bedrock stubbed (an instant canned Converse reply, no network, no SDK), the 8 KB
 * prompt of bench/gateway.bench.ts: a driver for a CPU profile of the gateway's own work, and its CPU per request.
 *
 *   npx ts-node --transpile-only bench/handler-profile.ts [--calls 5000] [--profile /tmp/handler.cpuprofile] [--heap-profile /tmp/handler.heapprofile]
 *
 * With `--profile` the measured calls only (not the start-up, ts-node or the warm-up) are profiled by the inspector's
 * sampling profiler and written to that file: open it in Chrome DevTools (Performance) or summarize it by self time.
 * With `--heap-profile` the same calls are sampled by the inspector's allocation profiler (one sample per 256 bytes on
 * average, objects a GC already freed included), which says which functions allocate what per call: divide a
 * function's self size by `--calls`.
 * Powertools output is swallowed as in bench/gateway.bench.ts. Prints the CPU per call (process.cpuUsage) and the load
 * average; run with `node --expose-gc --min-semi-space-size=64 --max-semi-space-size=64` (the young generation then
 * holds a block of calls without a collection) it also prints the heap allocated per call: the growth of `heapUsed` over a block of calls
 * that starts right after a full GC and during which no GC ran (blocks with a GC are left out).
 */
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import type { BedrockRuntimeClient, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { BENCH_CONFIG as CONFIG, prompt8k } from './inputs';

const profileArg = process.argv.indexOf('--profile');
const PROFILE = profileArg > 0 ? process.argv[profileArg + 1] : undefined;
const heapArg = process.argv.indexOf('--heap-profile');
const HEAP_PROFILE = heapArg > 0 ? process.argv[heapArg + 1] : undefined;
const callsArg = process.argv.indexOf('--calls');
const CALLS = callsArg > 0 ? Number(process.argv[callsArg + 1]) : 5000;
if (!Number.isInteger(CALLS) || CALLS < 100) throw new Error(`--calls must be an integer of at least 100, got ${process.argv[callsArg + 1]}`);

/** The reply of the loopback Bedrock server (test/helpers/bedrock-server), as the SDK hands it over. */
const CANNED: ConverseCommandOutput = {
  $metadata: { httpStatusCode: 200 },
  output: { message: { role: 'assistant', content: [{ text: 'Hello from the fake model.' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 2100, outputTokens: 7, totalTokens: 2107 },
  metrics: { latencyMs: 1 },
};

async function main(): Promise<void> {
  process.env.AWS_REGION = 'us-east-1';
  const { createHandler } = await import('../lambda/gateway/index');
  const { Auditor, newLogger, newMetrics } = await import('../lambda/gateway/audit');
  const { toProxyEvent, fakeContext, userContext } = await import('../test/helpers/lambda-http-adapter');
  const stub = { send: async () => CANNED } as unknown as BedrockRuntimeClient;
  const handler = createHandler({ config: CONFIG, bedrock: stub, auditor: new Auditor(newLogger(), newMetrics()) });
  const body = Buffer.from(JSON.stringify({ model: 'nova-lite', max_tokens: 512, messages: [{ role: 'user', content: prompt8k() }] }));
  const claims = userContext('bench-user-0001', 'users');

  const realWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((_chunk: unknown, ...rest: unknown[]) => {
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  const perCall: number[] = [];
  const allocated: number[] = [];
  const gc = (globalThis as { gc?: () => void }).gc;
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const session = PROFILE === undefined && HEAP_PROFILE === undefined ? undefined : new Session();
  try {
    for (let i = 0; i < 500; i++) await handler(toProxyEvent('POST', '/v1/chat/completions', {}, body, claims), fakeContext());
    if (session !== undefined) {
      session.connect();
      if (PROFILE !== undefined) {
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
      }
      if (HEAP_PROFILE !== undefined) {
        await session.post('HeapProfiler.enable');
        // Every 256 bytes allocated on average: a per-call allocation of a few kilobytes shows.
        await session.post('HeapProfiler.startSampling', { samplingInterval: 256, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
      }
    }
    for (let done = 0; done < CALLS; done += 200) {
      const events = Array.from({ length: 200 }, () => toProxyEvent('POST', '/v1/chat/completions', {}, body, claims));
      const contexts = events.map(() => fakeContext());
      if (gc !== undefined) {
        gc();
        // The observer reports a GC a few milliseconds later: let the forced one arrive before the block starts.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const gcsBefore = collections;
      const heapBefore = process.memoryUsage().heapUsed;
      const before = process.cpuUsage();
      for (let k = 0; k < events.length; k++) {
        const res = await handler(events[k]!, contexts[k]);
        if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
      }
      const used = process.cpuUsage(before);
      const heapAfter = process.memoryUsage().heapUsed;
      if (gc !== undefined) await new Promise((resolve) => setTimeout(resolve, 20));
      if (gc !== undefined && collections === gcsBefore) allocated.push((heapAfter - heapBefore) / 200);
      perCall.push((used.user + used.system) / 1000 / 200);
    }
    if (session !== undefined) {
      if (PROFILE !== undefined) {
        const { profile } = await session.post('Profiler.stop');
        fs.writeFileSync(PROFILE, JSON.stringify(profile));
      }
      if (HEAP_PROFILE !== undefined) {
        const { profile } = await session.post('HeapProfiler.stopSampling');
        fs.writeFileSync(HEAP_PROFILE, JSON.stringify(profile));
      }
      session.disconnect();
    }
  } finally {
    observer.disconnect();
    process.stdout.write = realWrite;
  }
  perCall.sort((a, b) => a - b);
  console.log(`handler alone, Bedrock stubbed: ${perCall[perCall.length >> 1]!.toFixed(3)} ms CPU per call (median of ${perCall.length} blocks of 200)`);
  if (gc !== undefined) {
    allocated.sort((a, b) => a - b);
    console.log(
      allocated.length === 0
        ? 'heap allocated per call: every block ran a GC (raise --max-semi-space-size)'
        : `heap allocated per call: ${(allocated[allocated.length >> 1]! / 1024).toFixed(1)} KiB (median of ${allocated.length} blocks of 200 without a GC)`,
    );
  }
  if (PROFILE !== undefined) console.log(`profile of the measured calls: ${PROFILE}`);
  if (HEAP_PROFILE !== undefined) console.log(`allocation profile of the measured calls (sampled, objects collected by GC included): ${HEAP_PROFILE}`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
