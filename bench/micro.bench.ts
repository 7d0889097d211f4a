/**
 * Micro-benchmark of the gateway's per-request parts on the 8 KB prompt of bench/gateway.bench.ts: the pre-screen's
 * parts, then the other stages of a chat request (body parse and schema, output screen, audit line and EMF document,
 * prompt hash, response body): CPU per call of each (median of blocks, process.cpuUsage), to size and check fixes.
 *
 *   npx ts-node --transpile-only bench/micro.bench.ts
 */
import * as os from 'node:os';
import { runRules } from '../lambda/shared/screening/engine';
import { decodedViews } from '../lambda/shared/screening/decode';
import { encodedRuns, extractHiddenText, normalizeText } from '../lambda/shared/screening/normalize';
import { prepareText, prescreen } from '../lambda/shared/screening/prescreen';
import { newMarker } from '../lambda/shared/screening/spotlight';
import { promptCues } from '../lambda/shared/screening/prompt-score';
import { structural } from '../lambda/shared/screening/structural';
import { screenOutput } from '../lambda/shared/screening/output';
import { parseChatRequest } from '../lambda/gateway/request';
import { buildConverseInput, newCanary } from '../lambda/gateway/converse-request';
import { Auditor, AuditRecord, newLogger, newMetrics, promptSha256 } from '../lambda/gateway/audit';
import { chatCompletion } from '../lambda/gateway/response';
import { BENCH_CONFIG, prompt8k } from './inputs';

process.env.AWS_REGION ??= 'us-east-1';
const text = prompt8k();
const prepared = prepareText(text);
const body = JSON.stringify({ model: 'nova-lite', max_tokens: 512, messages: [{ role: 'user', content: text }] });
const request = parseChatRequest(JSON.parse(body), BENCH_CONFIG.limits);
const auditor = new Auditor(newLogger(), newMetrics());
/** An audit record as the bench's chat request leaves it. */
const record: AuditRecord = {
  requestId: 'c0ffee00-1111-2222-3333-444455556666', method: 'POST', route: 'chat.completions', status: 200, decision: 'allowed',
  callerKind: 'user', callerSub: 'bench-user-0001', callerGroups: ['users'], team: 'none', alias: 'nova-lite', modelId: 'amazon.nova-lite-v1:0',
  guardrailAction: 'NONE', promptSha256: promptSha256(request.messages), promptChars: 8192, messageCount: 1, toolCount: 0, maxTokens: 512,
  inputTokens: 2100, outputTokens: 7, stopReason: 'end_turn', finishReason: 'stop', bedrockAttempts: 1, latencyMs: 1,
};
const converseOptions = {
  modelId: 'amazon.nova-lite-v1:0', systemPrompt: BENCH_CONFIG.systemPrompt, canary: newCanary(), marker: newMarker(), maxTokens: 512,
  guardrailId: BENCH_CONFIG.guardrailId, guardrailVersion: BENCH_CONFIG.guardrailVersion, requestMetadata: { principal: 'user:bench-user-0001' },
};
const reply = 'Hello from the fake model.';
const outputOptions = { canary: converseOptions.canary, allowedLinkHosts: BENCH_CONFIG.output.allowedLinkHosts, allowHtml: false };
let sink = 0;
const parts: Array<[string, () => unknown]> = [
  ['prescreen (raw 8 KB)', () => prescreen(text)],
  ['prescreen (prepared 8 KB)', () => prescreen(prepared)],
  ['prepareText', () => prepareText(text)],
  ['normalizeText', () => normalizeText(text)],
  ['extractHiddenText', () => extractHiddenText(text)],
  ['runRules (direct)', () => runRules(text, false)],
  ['runRules on "" (matcher set-up)', () => runRules('', false)],
  ['decodedViews', () => decodedViews(text)],
  ['encodedRuns(16)', () => encodedRuns(text, 16)],
  ['newMarker', () => newMarker()],
  ['promptCues (8 KB)', () => promptCues(text)],
  ['structural', () => structural(text, false, () => undefined)],
  ['JSON.parse (8 KB body)', () => JSON.parse(body)],
  ['parseChatRequest', () => parseChatRequest(JSON.parse(body), BENCH_CONFIG.limits)],
  ['buildConverseInput', () => buildConverseInput(request, converseOptions)],
  ['screenOutput (short reply)', () => screenOutput(reply, outputOptions)],
  ['promptSha256', () => promptSha256(request.messages)],
  ['emfLine', () => auditor.emfLine(record, 1_700_000_000_000)],
  ['audit emit (line + EMF, stdout swallowed)', () => auditor.emit(record)],
  ['chatCompletion + JSON.stringify', () => JSON.stringify(chatCompletion({ id: 'chatcmpl-x', created: 1, model: 'nova-lite', content: reply, finishReason: 'stop', usage: { prompt_tokens: 2100, completion_tokens: 7, total_tokens: 2107 } }))],
];

const BLOCK = 2000;
const realWrite = process.stdout.write.bind(process.stdout);
const swallow = ((_chunk: unknown, ...rest: unknown[]) => {
  (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
  return true;
}) as typeof process.stdout.write;
for (const [name, fn] of parts) {
  process.stdout.write = swallow;
  for (let i = 0; i < BLOCK; i++) sink += fn() === undefined ? 0 : 1;
  const perCall: number[] = [];
  for (let b = 0; b < 15; b++) {
    const before = process.cpuUsage();
    for (let i = 0; i < BLOCK; i++) sink += fn() === undefined ? 0 : 1;
    const used = process.cpuUsage(before);
    perCall.push((used.user + used.system) / BLOCK);
  }
  process.stdout.write = realWrite;
  perCall.sort((a, b) => a - b);
  console.log(`${name.padEnd(42)} ${perCall[7]!.toFixed(2).padStart(8)} µs`);
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${sink > 0 ? 'ok' : ''})`);
