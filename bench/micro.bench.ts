/**
 * Micro-benchmark of the pre-screen's parts on the 8 KB prompt of bench/gateway.bench.ts: CPU per call of each part
 * the gateway runs per request (median of blocks, process.cpuUsage), to size and check the pre-screen's fixes.
 *
 *   npx ts-node --transpile-only bench/micro.bench.ts
 */
import * as os from 'node:os';
import { runRules } from '../lambda/shared/screening/engine';
import { decodedViews } from '../lambda/shared/screening/decode';
import { encodedRuns, extractHiddenText, normalizeText } from '../lambda/shared/screening/normalize';
import { prepareText, prescreen } from '../lambda/shared/screening/prescreen';
import { newMarker } from '../lambda/shared/screening/spotlight';
import { prompt8k } from './inputs';

const text = prompt8k();
const prepared = prepareText(text);
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
];

const BLOCK = 2000;
for (const [name, fn] of parts) {
  for (let i = 0; i < BLOCK; i++) sink += fn() === undefined ? 0 : 1;
  const perCall: number[] = [];
  for (let b = 0; b < 15; b++) {
    const before = process.cpuUsage();
    for (let i = 0; i < BLOCK; i++) sink += fn() === undefined ? 0 : 1;
    const used = process.cpuUsage(before);
    perCall.push((used.user + used.system) / BLOCK);
  }
  perCall.sort((a, b) => a - b);
  console.log(`${name.padEnd(34)} ${perCall[7]!.toFixed(2).padStart(8)} µs`);
}
console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${sink > 0 ? 'ok' : ''})`);
