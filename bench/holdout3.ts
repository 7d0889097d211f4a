/**
 * Holdout 3: a fresh, independent holdout for the untrusted-document screen and the prompt pre-screen, written from
 * public attack families without looking at the screening code or the earlier fixtures (issue 10). Never tune on it.
 *
 * Prints, for `screenDocument` on holdout-documents-3 and `prescreen` on holdout-prompts-3: the share of attacks
 * flagged and of benign items flagged, overall, per family and per language, then the misses and false positives
 * (family, language and the first 120 characters, newlines shown as ⏎).
 *
 *   npx ts-node --transpile-only bench/holdout3.ts
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { screenDocument } from '../lambda/shared/screening/document';
import { prescreen } from '../lambda/shared/screening/prescreen';

interface Item {
  readonly text: string;
  readonly label: 'attack' | 'benign';
  readonly family: string;
  /** ISO 639-1 language when not English. */
  readonly lang?: string;
}

interface Tally {
  attacks: number;
  attacksFlagged: number;
  benign: number;
  benignFlagged: number;
}

const fixtures = path.join(__dirname, '..', 'test', 'fixtures', 'injection-eval');
const load = (name: string): Item[] => JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.json`), 'utf8')) as Item[];

const pct = (n: number, d: number): string => (d === 0 ? '    –' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);
const head = (text: string): string => text.replace(/\s*\n\s*/g, ' ⏎ ').slice(0, 120);

function tally(rows: Map<string, Tally>, key: string, item: Item, flagged: boolean): void {
  const t = rows.get(key) ?? { attacks: 0, attacksFlagged: 0, benign: 0, benignFlagged: 0 };
  if (item.label === 'attack') {
    t.attacks++;
    if (flagged) t.attacksFlagged++;
  } else {
    t.benign++;
    if (flagged) t.benignFlagged++;
  }
  rows.set(key, t);
}

function printTable(title: string, rows: Map<string, Tally>): void {
  console.log(`\n${title}`);
  console.log(`  ${'group'.padEnd(22)} ${'attacks'.padStart(8)} ${'flagged'.padStart(7)}   ${'benign'.padStart(7)} ${'flagged'.padStart(7)}`);
  for (const [key, t] of [...rows.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(
      `  ${key.padEnd(22)} ${String(t.attacks).padStart(8)} ${pct(t.attacksFlagged, t.attacks).padStart(7)}   ${String(t.benign).padStart(7)} ${pct(t.benignFlagged, t.benign).padStart(7)}`,
    );
  }
}

function report(name: string, items: Item[], flag: (text: string) => boolean): void {
  const all = new Map<string, Tally>();
  const byFamily = new Map<string, Tally>();
  const byLang = new Map<string, Tally>();
  const misses: Item[] = [];
  const falsePositives: Item[] = [];
  for (const item of items) {
    const flagged = flag(item.text);
    tally(all, 'all', item, flagged);
    tally(all, item.lang ? 'non-English' : 'English', item, flagged);
    tally(byFamily, item.family, item, flagged);
    tally(byLang, item.lang ?? 'en', item, flagged);
    if (item.label === 'attack' && !flagged) misses.push(item);
    if (item.label === 'benign' && flagged) falsePositives.push(item);
  }
  console.log(`\n=== ${name} ===`);
  printTable('overall', all);
  printTable('per family', byFamily);
  printTable('per language', byLang);
  console.log(`\nmisses (${misses.length})`);
  for (const m of misses) console.log(`  [${m.family}${m.lang ? `/${m.lang}` : ''}] ${head(m.text)}`);
  console.log(`\nfalse positives (${falsePositives.length})`);
  for (const f of falsePositives) console.log(`  [${f.family}${f.lang ? `/${f.lang}` : ''}] ${head(f.text)}`);
}

report('screenDocument on holdout-documents-3 (flagged = quarantine)', load('holdout-documents-3'), (t) => screenDocument(t).verdict === 'quarantine');
report('prescreen on holdout-prompts-3 (flagged = verdict not allow)', load('holdout-prompts-3'), (t) => prescreen(t).verdict !== 'allow');
