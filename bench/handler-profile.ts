/**
 * The gateway handler in process, Bedrock stubbed (an instant canned Converse reply, no network, no SDK), the 8 KB
 * prompt of bench/gateway.bench.ts: a driver for a CPU profile of the gateway's own work, and its CPU per request.
 *
 *   node --cpu-prof --cpu-prof-dir /tmp/prof -r ts-node/register/transpile-only bench/handler-profile.ts [--calls 5000]
 *
 * Open the `.cpuprofile` in Chrome DevTools (Performance) or summarize it by self time. Powertools output is
 * swallowed (counted) as in bench/gateway.bench.ts. Prints the CPU per call (process.cpuUsage) and the load average.
 */
import * as os from 'node:os';
import type { BedrockRuntimeClient, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';
import { BENCH_CONFIG as CONFIG, prompt8k } from './inputs';

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
  try {
    for (let i = 0; i < 500; i++) await handler(toProxyEvent('POST', '/v1/chat/completions', {}, body, claims), fakeContext());
    for (let done = 0; done < CALLS; done += 200) {
      const events = Array.from({ length: 200 }, () => toProxyEvent('POST', '/v1/chat/completions', {}, body, claims));
      const before = process.cpuUsage();
      for (const ev of events) {
        const res = await handler(ev, fakeContext());
        if (res.statusCode !== 200) throw new Error(`handler answered ${res.statusCode}: ${res.body}`);
      }
      const used = process.cpuUsage(before);
      perCall.push((used.user + used.system) / 1000 / 200);
    }
  } finally {
    process.stdout.write = realWrite;
  }
  perCall.sort((a, b) => a - b);
  console.log(`handler alone, Bedrock stubbed: ${perCall[perCall.length >> 1]!.toFixed(3)} ms CPU per call (median of ${perCall.length} blocks of 200)`);
  console.log(`load average: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
