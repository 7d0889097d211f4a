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

function prompt8k(): string {
  const sentences = [
    'The quarterly report describes revenue growth in the northern region and steady demand for the core product line.',
    'Supplier delays affected two shipments in March, and the logistics team proposed a second warehouse partner.',
    'Customer satisfaction scores improved after the support team shortened its average response time.',
    'The finance group expects operating costs to stay flat while the hiring plan for engineering continues.',
    'Please summarize the main risks and opportunities in a few bullet points for the leadership meeting.',
  ];
  let out = '';
  for (let i = 0; out.length < 8192; i++) out += `${sentences[i % sentences.length]} `;
  // A flat string, as JSON.parse hands it over.
  return JSON.parse(JSON.stringify(out.slice(0, 8192))) as string;
}

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
