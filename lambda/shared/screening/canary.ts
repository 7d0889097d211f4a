/**
 * Detection of the per-request canary from the system prompt in model output (OWASP LLM07): case-insensitively, after
 * NFKC, with invisible characters, spacing, punctuation or markup between its characters, reversed, with look-alike
 * letters, or inside a base64 or hex payload. Linear in the text length; every loop reports its work.
 */
import { OutputScreeningError } from './errors';
import { LATIN_CONFUSABLES, normalizeText } from './normalize';
import { PassState, runsOf } from './rewrite';
import { countWork } from './work';

/** Fewest letters or digits a canary may have. */
const MIN_CANARY = 8;

// ---------------------------------------------------------------------------------------------------------------
// Canary detection.
// ---------------------------------------------------------------------------------------------------------------

/** Per BMP code unit: the lower-case Latin letter or digit it stands for, or 0 (dropped). */
const SQUEEZE = new Uint16Array(0x10000);
/** The code units {@link SQUEEZE} maps (a few hundred), so {@link SQUEEZE_FORMS} never walks all 65,536 at load. */
const MAPPED: number[] = [];
const map = (unit: number, to: number): void => {
  SQUEEZE[unit] = to;
  MAPPED.push(unit);
};
for (let c = 0x30; c <= 0x39; c++) map(c, c);
for (let c = 0x61; c <= 0x7a; c++) {
  map(c, c);
  map(c - 0x20, c);
}
for (const [lookAlike, latin] of Object.entries(LATIN_CONFUSABLES)) {
  for (const form of [lookAlike, lookAlike.toUpperCase()]) {
    if (form.length === 1) map(form.charCodeAt(0), latin.charCodeAt(0));
  }
}

/** Lower-case letters and digits only, look-alike letters folded to Latin: one table lookup per code unit. */
function squeeze(text: string): string {
  const out = new Uint16Array(text.length);
  let len = 0;
  for (let i = 0; i < text.length; i++) {
    const mapped = SQUEEZE[text.charCodeAt(i)]!;
    if (mapped !== 0) out[len++] = mapped;
  }
  countWork(text.length + len);
  return Buffer.from(out.buffer, 0, len * 2).toString('utf16le');
}

/** Every BMP code unit that {@link squeeze} maps to each letter or digit, by that letter's or digit's code. */
const SQUEEZE_FORMS: string[][] = Array.from({ length: 0x7b }, () => []);
// In code-unit order, each once, with its final mapping (a later entry may remap a unit).
for (const u of [...new Set(MAPPED)].sort((a, b) => a - b)) SQUEEZE_FORMS[SQUEEZE[u]!]!.push(String.fromCharCode(u));
/** Letters and digits from rarest to most common in English text: the canary is searched by its rarest character. */
const RARITY = '0123456789qjzxkvbpgwyfmculdrhsnioate';
/** `RARITY.indexOf` by character code (a key holds only lower-case letters and digits, all in {@link RARITY}). */
const RARITY_RANK = new Int8Array(0x7b).fill(-1);
for (let r = 0; r < RARITY.length; r++) RARITY_RANK[RARITY.charCodeAt(r)] = r;

/** A text that {@link squeeze} and normalization return unchanged. */
const PLAIN_KEY = /^[a-z0-9]*$/;

/** The canary in the forms {@link containsCanary} looks for. */
export interface Canary {
  readonly key: string;
  readonly reversed: string;
  /** Index in `key` of the character whose occurrences anchor the search. */
  readonly anchor: number;
  /** The code units that squeeze to `key[anchor]`. */
  readonly forms: readonly string[];
  /** Shortest base64 run that can hold the canary. */
  readonly minRun: number;
}

export function canaryOf(canary: string): Canary {
  // The gateway's own canaries (`newCanary`: lower-case letters and digits) are their own key: normalization and
  // squeezing leave such a text unchanged, so neither is run (one check of each character instead).
  const key = PLAIN_KEY.test(canary) ? canary : squeeze(normalizeText(canary).text);
  countWork(canary.length);
  if (key.length < MIN_CANARY) {
    throw new OutputScreeningError(`canary must contain at least ${MIN_CANARY} letters or digits, got ${key.length}`);
  }
  // The first of the rarest characters; one table read per character (a canary is prepared once per request).
  let anchor = 0;
  for (let k = 1; k < key.length; k++) if (RARITY_RANK[key.charCodeAt(k)]! < RARITY_RANK[key.charCodeAt(anchor)]!) anchor = k;
  // The key is ASCII (squeezed), so reversing its bytes reverses its characters: one native reversal, one flat string.
  const reversed = Buffer.from(key, 'latin1').reverse().toString('latin1');
  return {
    key,
    reversed,
    anchor,
    forms: SQUEEZE_FORMS[key.charCodeAt(anchor)]!,
    minRun: Math.ceil((key.length * 4) / 3),
  };
}

/**
 * Whether `pattern` occurs in the squeezed text with its character `at` squeezed from position `i` of `text`: walks
 * outwards over the squeezed stream, skipping dropped characters. Adds the code units read to `work[0]`.
 */
function squeezedMatchAt(text: string, i: number, pattern: string, at: number, work: number[]): boolean {
  let p = i - 1;
  let reads = 0;
  let ok = true;
  for (let k = at - 1; k >= 0 && ok; p--) {
    if (p < 0) {
      ok = false;
      break;
    }
    reads++;
    const mapped = SQUEEZE[text.charCodeAt(p)]!;
    if (mapped === 0) continue;
    if (mapped !== pattern.charCodeAt(k)) ok = false;
    k--;
  }
  p = i + 1;
  for (let k = at + 1; k < pattern.length && ok; p++) {
    if (p >= text.length) {
      ok = false;
      break;
    }
    reads++;
    const mapped = SQUEEZE[text.charCodeAt(p)]!;
    if (mapped === 0) continue;
    if (mapped !== pattern.charCodeAt(k)) ok = false;
    k++;
  }
  work[0]! += reads;
  return ok;
}

/**
 * `squeeze(text)` contains the key or its reverse. Only the occurrences of the key's rarest character are examined
 * (one native scan per form of it); if that costs more reads than squeezing the whole text would, it is squeezed.
 */
function squeezedContains(text: string, c: Canary): boolean {
  const work = [0];
  const budget = 2 * text.length + 1024;
  const reversedAnchor = c.key.length - 1 - c.anchor;
  for (const form of c.forms) {
    // Each scan for the form resumes after the previous hit: together they read up to where the loop stops.
    for (let i = text.indexOf(form); i >= 0; i = text.indexOf(form, i + 1)) {
      if (squeezedMatchAt(text, i, c.key, c.anchor, work) || squeezedMatchAt(text, i, c.reversed, reversedAnchor, work)) {
        countWork(i + 1 + work[0]!);
        return true;
      }
      if (work[0]! > budget) {
        countWork(i + 1 + work[0]!);
        const squeezed = squeeze(text);
        countWork(2 * squeezed.length);
        return squeezed.includes(c.key) || squeezed.includes(c.reversed);
      }
    }
    countWork(text.length);
  }
  countWork(work[0]!);
  return false;
}

/**
 * Where the run at the end of `text` that squeezes to the longest beginning of the key or of its reverse starts,
 * looking back no further than index `from` and over at most `key.length - 1` letters and digits; `text.length` when
 * the squeezed end of the text begins neither. A stream holds back from there: the next text may complete the canary,
 * and spread out (anything but letters and digits between its characters) it can be wider than any fixed hold-back.
 * Outside benign text's rare coincidences, a run that starts before a fixed hold-back window is such a spread canary.
 */
export function canaryPrefixStart(text: string, c: Canary, from: number): number {
  const most = c.key.length - 1;
  const squeezed: number[] = [];
  const at: number[] = [];
  let p = text.length - 1;
  for (; p >= from && squeezed.length < most; p--) {
    const mapped = SQUEEZE[text.charCodeAt(p)]!;
    if (mapped === 0) continue;
    squeezed.push(mapped);
    at.push(p);
  }
  countWork(text.length - 1 - p + squeezed.length * squeezed.length);
  // squeezed[j] is the (j + 1)-th letter or digit from the end: a run of m of them reads squeezed[m - 1] … squeezed[0].
  for (let m = squeezed.length; m >= 1; m--) {
    if (beginsWith(squeezed, m, c.key) || beginsWith(squeezed, m, c.reversed)) return at[m - 1]!;
  }
  return text.length;
}

function beginsWith(squeezed: readonly number[], m: number, pattern: string): boolean {
  for (let k = 0; k < m; k++) if (squeezed[m - 1 - k] !== pattern.charCodeAt(k)) return false;
  return true;
}

/** Base64 of text mixes cases or has digits and symbols; plain words do not. */
const ENCODED_MIX = /[0-9+/=]|[A-Z][a-z]|[a-z][A-Z]/;
const HEX = /^[0-9a-fA-F]+$/;

/** Whether `text` contains the canary in any of the forms listed in the module documentation. */
export function containsCanary(text: string, c: Canary, acc: PassState): boolean {
  if (squeezedContains(text, c)) return true;
  // Base64 or hex payloads: runs are maximal, so decoding them all is linear in the text length. A run shorter than
  // the base64 form of the canary itself cannot contain it.
  for (const [start, end] of runsOf(text, acc)) {
    if (end - start < c.minRun) continue;
    countWork(6 * (end - start)); // slice, '=' trim, two tests, decode, and the two searches of the squeezed text
    const run = text.slice(start, end).replace(/^=+/, '');
    const hex = HEX.test(run) && run.length % 2 === 0;
    if (!hex && !ENCODED_MIX.test(run)) continue;
    const s = squeeze(Buffer.from(run, hex ? 'hex' : 'base64').toString('latin1'));
    if (s.includes(c.key) || s.includes(c.reversed)) return true;
  }
  return false;
}
