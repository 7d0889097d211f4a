/**
 * Unicode normalization for text that reaches the model or leaves the gateway (OWASP LLM01).
 *
 * Pure and I/O-free. One left-to-right pass over the UTF-16 code units removes invisible code points that smuggle
 * instructions or data past people and filters, then `String.prototype.normalize('NFKC')` folds compatibility forms
 * (fullwidth letters, mathematical alphanumerics, ligatures) onto their plain equivalents. Work is linear in the input
 * length; no regular expression runs over the text.
 *
 * What is removed (each category is counted in {@link RemovedCounts}):
 * - `tagCharacters`: the Tags block U+E0000–E007F. They render as nothing and map 1:1 onto ASCII, the classic
 *   "ASCII smuggling" channel. Emoji subdivision flags (🏴 + tags) lose their region and show as a black flag.
 * - `zeroWidth`: U+200B–200D, U+2060–2064, U+FEFF, U+180E (Mongolian vowel separator) and U+034F (combining grapheme
 *   joiner). Emoji ZWJ sequences fall apart into their component emoji, which keeps their meaning.
 * - `bidiControls`: U+200E, U+200F, U+202A–202E, U+2066–2069, U+061C. They reorder what a person sees
 *   ("Trojan Source") without changing what the model reads.
 * - `variationSelectors`: U+FE00–FE0F, U+E0100–E01EF and the Mongolian selectors U+180B–180D, U+180F, which can carry
 *   one byte each ("emoji smuggling"). Decision: a single VS15/VS16 (U+FE0E/U+FE0F) directly after an emoji-capable
 *   character (`\p{Emoji}`) is kept, because it only picks text or emoji presentation (❤️ vs ❤) and can carry at most
 *   one bit per visible emoji. Every other selector, including CJK ideographic variation sequences, is removed.
 * - `otherInvisible`: the rest of Unicode's Default_Ignorable_Code_Point set — soft hyphen U+00AD, Hangul fillers
 *   (U+115F, U+1160, U+3164, U+FFA0), Khmer U+17B4–17B5, deprecated format controls U+2065–206F, U+FFF0–FFF8,
 *   interlinear annotation U+FFF9–FFFB, shorthand format controls U+1BCA0–1BCA3, musical format controls
 *   U+1D173–1D17A and unassigned U+E0080–E0FFF. Visible format characters (Arabic number signs U+0600–0605, Egyptian
 *   hieroglyph controls) are kept: they are not invisible and removing them would change meaning.
 * - `controlCharacters`: C0 controls except TAB, LF and CR, DEL, and C1 controls U+0080–009F (terminal escapes, NUL).
 * - `loneSurrogates`: unpaired UTF-16 surrogates are replaced by U+FFFD so the result is always well-formed UTF-16 and
 *   encodes to valid UTF-8.
 *
 * Removal happens before NFKC, so NFKC sees the text a person would see (an invisible character between `e` and a
 * combining accent no longer blocks composition), and a second pass runs only if NFKC produced a removable code point
 * (it does not for any assigned character today). The result is idempotent: `normalizeText(normalizeText(x).text)`
 * returns the same text with zero counts.
 *
 * Every loop and native call reports the code units it visits to {@link countWork}, so tests can prove linear cost
 * without a clock.
 */
import { UnitBuffer } from './units';
import { countWork, execCounted, testCounted } from './work';

/** How many code points of each category {@link normalizeText} removed (or, for lone surrogates, replaced). */
export interface RemovedCounts {
  /** Unicode tag characters U+E0000–E007F. */
  readonly tagCharacters: number;
  /** Zero-width spaces, joiners, word joiner, invisible operators, BOM, U+180E and U+034F. */
  readonly zeroWidth: number;
  /** Bidirectional embedding, override, isolate and mark characters. */
  readonly bidiControls: number;
  /** Variation selectors, except one VS15/VS16 kept after an emoji. */
  readonly variationSelectors: number;
  /** Other default-ignorable (invisible) code points. */
  readonly otherInvisible: number;
  /** C0 (except TAB, LF, CR), DEL and C1 control characters. */
  readonly controlCharacters: number;
  /** Unpaired UTF-16 surrogates, replaced by U+FFFD. */
  readonly loneSurrogates: number;
}

/** The result of {@link normalizeText}. */
export interface NormalizedText {
  /** NFKC-normalized text without the removed code points. */
  readonly text: string;
  /** Counts per category of what was removed. */
  readonly removed: RemovedCounts;
}

/** The category a code point is removed under, or `undefined` when it is kept. */
export type RemovedCategory = Exclude<keyof RemovedCounts, 'loneSurrogates'>;

interface MutableCounts {
  tagCharacters: number;
  zeroWidth: number;
  bidiControls: number;
  variationSelectors: number;
  otherInvisible: number;
  controlCharacters: number;
  loneSurrogates: number;
}

/** `\p{Emoji}`, created on first use, not at cold start: a Unicode-property regex costs 0.05-0.25 ms to create (its ICU sets), and English text never asks it. */
let emoji: RegExp | undefined;
/** `\p{Emoji}` per BMP code point, filled lazily: 0 unknown, 1 no, 2 yes. */
const EMOJI_BMP = new Uint8Array(0x10000);
const emojiAstral = new Map<number, boolean>();

function isEmoji(cp: number): boolean {
  if (cp < 0x10000) {
    let known = EMOJI_BMP[cp]!;
    if (known === 0) {
      known = (emoji ??= /^\p{Emoji}$/u).test(String.fromCharCode(cp)) ? 2 : 1;
      EMOJI_BMP[cp] = known;
    }
    return known === 2;
  }
  let yes = emojiAstral.get(cp);
  if (yes === undefined) {
    yes = (emoji ??= /^\p{Emoji}$/u).test(String.fromCodePoint(cp));
    if (emojiAstral.size < 4096) emojiAstral.set(cp, yes);
  }
  return yes;
}
/**
 * The BMP code points {@link removedCategory} removes, as inclusive ranges: the table below is filled from them at
 * cold start instead of asking removedCategory about 8,800 code points (test/lambda/shared/screening/normalize.test.ts
 * checks them against it over the whole BMP).
 */
export const REMOVABLE_BMP_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x0008], [0x000b, 0x000c], [0x000e, 0x001f], [0x007f, 0x009f], [0x00ad, 0x00ad], [0x034f, 0x034f],
  [0x061c, 0x061c], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180f], [0x200b, 0x200f], [0x202a, 0x202e],
  [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff], [0xffa0, 0xffa0], [0xfff0, 0xfffb],
];
/**
 * Per UTF-16 code unit: 1 if {@link strip} may act on it (a removable BMP code point, or the high surrogate of a plane
 * that holds removable ones: U+1BCxx, U+1D1xx, U+E0000–E0FFF), 2 for other surrogates (checked for pairing).
 */
const STRIP_UNIT = new Uint8Array(0x10000);
for (let u = 0xd800; u <= 0xdfff; u++) STRIP_UNIT[u] = u === 0xd82f || u === 0xd834 || (u >= 0xdb40 && u <= 0xdb43) ? 1 : 2;
for (const [from, to] of REMOVABLE_BMP_RANGES) STRIP_UNIT.fill(1, from, to + 1);

/** Whether {@link strip} could change `text`: a table lookup per code unit, no allocation. */
function needsStrip(text: string): boolean {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const flag = STRIP_UNIT[text.charCodeAt(i)]!;
    if (flag === 0) continue;
    if (flag === 1) {
      countWork(i + 1);
      return true;
    }
    const unit = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
    if (unit > 0xdbff || next < 0xdc00 || next > 0xdfff) {
      countWork(i + 1);
      return true; // lone surrogate
    }
    i++;
  }
  countWork(n);
  return false;
}
/** High surrogate of plane 14 (tags, supplementary selectors) or a BMP variation selector. */
// eslint-disable-next-line no-misleading-character-class -- deliberately matches selectors as lone code units
const MAY_HIDE = /[\udb40\ufe00-\ufe0f]/;
const PRINTABLE_ASCII = /^[\t\n\r\x20-\x7e]*$/;

/**
 * The category under which {@link normalizeText} removes a code point, or `undefined` if the code point is kept.
 * Variation selectors U+FE0E/U+FE0F are reported as removable here; {@link normalizeText} keeps one of them after an
 * emoji.
 *
 * @param cp - a Unicode code point (not a UTF-16 code unit; surrogates are handled by {@link normalizeText}).
 */
export function removedCategory(cp: number): RemovedCategory | undefined {
  // Fast exits for the large ranges with nothing removable (CJK, most symbols and emoji).
  if ((cp >= 0x2070 && cp < 0x3164) || (cp > 0x3164 && cp < 0xfe00) || (cp >= 0x10000 && cp < 0x1bca0) || (cp >= 0x1d17b && cp < 0xe0000)) {
    return undefined;
  }
  if (cp < 0x80) {
    if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d ? undefined : 'controlCharacters';
    return cp === 0x7f ? 'controlCharacters' : undefined;
  }
  if (cp <= 0x9f) return 'controlCharacters';
  if (cp < 0x00ad) return undefined;
  if (cp === 0x00ad) return 'otherInvisible';
  if (cp < 0x034f) return undefined;
  if (cp === 0x034f) return 'zeroWidth';
  if (cp === 0x061c) return 'bidiControls';
  if (cp === 0x115f || cp === 0x1160) return 'otherInvisible';
  if (cp === 0x17b4 || cp === 0x17b5) return 'otherInvisible';
  if (cp >= 0x180b && cp <= 0x180f) return cp === 0x180e ? 'zeroWidth' : 'variationSelectors';
  if (cp < 0x200b) return undefined;
  if (cp <= 0x200d) return 'zeroWidth';
  if (cp <= 0x200f) return 'bidiControls';
  if (cp >= 0x202a && cp <= 0x202e) return 'bidiControls';
  if (cp >= 0x2060 && cp <= 0x206f) {
    if (cp <= 0x2064) return 'zeroWidth';
    if (cp >= 0x2066 && cp <= 0x2069) return 'bidiControls';
    return 'otherInvisible';
  }
  if (cp === 0x3164) return 'otherInvisible';
  if (cp >= 0xfe00 && cp <= 0xfe0f) return 'variationSelectors';
  if (cp === 0xfeff) return 'zeroWidth';
  if (cp === 0xffa0) return 'otherInvisible';
  if (cp >= 0xfff0 && cp <= 0xfffb) return 'otherInvisible';
  if (cp >= 0x1bca0 && cp <= 0x1bca3) return 'otherInvisible';
  if (cp >= 0x1d173 && cp <= 0x1d17a) return 'otherInvisible';
  if (cp >= 0xe0000) {
    if (cp <= 0xe007f) return 'tagCharacters';
    if (cp >= 0xe0100 && cp <= 0xe01ef) return 'variationSelectors';
    if (cp <= 0xe0fff) return 'otherInvisible';
  }
  return undefined;
}

function zeroCounts(): MutableCounts {
  return {
    tagCharacters: 0,
    zeroWidth: 0,
    bidiControls: 0,
    variationSelectors: 0,
    otherInvisible: 0,
    controlCharacters: 0,
    loneSurrogates: 0,
  };
}

/** One removal pass; returns the input string itself when nothing is removed. */
function strip(text: string, counts: MutableCounts): string {
  // Output code units are copied into a buffer once the first removal happens; kept runs are copied in bulk.
  let out: Uint16Array | undefined;
  let outLen = 0;
  let runStart = 0;
  let lastKept = -1; // last code point written to the output
  let keptSelector = false; // lastKept is a VS15/VS16 kept after an emoji
  const n = text.length;
  let i = 0;
  while (i < n) {
    const unit = text.charCodeAt(i);
    if (STRIP_UNIT[unit] === 0) {
      // A BMP code point that is always kept (most text).
      lastKept = unit;
      keptSelector = false;
      i++;
      continue;
    }
    let cp = unit;
    let width = 1;
    let category: RemovedCategory | 'loneSurrogates' | undefined;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = (unit - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        width = 2;
        category = removedCategory(cp);
      } else {
        category = 'loneSurrogates';
      }
    } else if (unit >= 0x80 || unit < 0x20 || unit === 0x7f) {
      category = removedCategory(cp);
    }
    if (category === 'variationSelectors' && (cp === 0xfe0e || cp === 0xfe0f) && !keptSelector && lastKept >= 0
      && isEmoji(lastKept)) {
      category = undefined;
      keptSelector = true;
      lastKept = cp;
      i += width;
      continue;
    }
    if (category === undefined) {
      lastKept = cp;
      keptSelector = false;
      i += width;
      continue;
    }
    counts[category]++;
    out ??= new Uint16Array(n);
    for (let k = runStart; k < i; k++) out[outLen++] = text.charCodeAt(k);
    if (category === 'loneSurrogates') out[outLen++] = 0xfffd;
    i += width;
    runStart = i;
    if (category === 'loneSurrogates') {
      lastKept = 0xfffd;
      keptSelector = false;
    }
  }
  // The scan visits each code unit once (i only grows); each unit copied or written to `out` counts once more, and
  // once again when the buffer is decoded.
  if (out === undefined) {
    countWork(n);
    return text;
  }
  for (let k = runStart; k < n; k++) out[outLen++] = text.charCodeAt(k);
  countWork(n + 2 * outLen);
  // Well-formed UTF-16 at this point (lone surrogates were replaced), so the UTF-16LE round trip is exact.
  return Buffer.from(out.buffer, 0, outLen * 2).toString('utf16le');
}

/**
 * Normalize untrusted text: remove invisible and smuggling code points (see the module documentation for the exact
 * sets), replace lone surrogates with U+FFFD, then apply NFKC.
 *
 * Linear time, never throws for any string, idempotent, and the output never contains a code point for which
 * {@link removedCategory} is defined, except one VS15/VS16 directly after an emoji.
 *
 * @param text - any string, including ill-formed UTF-16.
 * @returns the normalized text and counts of what was removed.
 */
export function normalizeText(text: string): NormalizedText {
  const counts = zeroCounts();
  if (testCounted(PRINTABLE_ASCII, text)) return { text, removed: counts };
  // Only the runs outside printable ASCII can need work; a native scan finds them, and each is checked by table.
  const segments = specialSegments(text);
  if (segments === undefined) return normalizeSlow(text, counts, true);
  // Nothing to remove: NFKC of the segments around the runs is NFKC of the whole text (see specialSegments).
  let out = '';
  let copied = 0;
  let changed = false;
  for (let k = 0; k < segments.length; k += 2) {
    const start = segments[k]!;
    const end = segments[k + 1]!;
    const segment = text.slice(start, end);
    const folded = segment.normalize('NFKC');
    countWork(2 * (end - start) + folded.length);
    if (folded === segment) continue;
    // NFKC of an assigned code point never yields a removable one today; if it ever does, take the full path.
    if (needsStrip(folded)) return normalizeSlow(text, counts, false);
    out += text.slice(copied, start) + folded;
    copied = end;
    changed = true;
  }
  if (changed) countWork(out.length + text.length - copied); // flattening the concatenation
  return { text: changed ? out + text.slice(copied) : text, removed: counts };
}

/** Runs of code units outside printable ASCII (TAB, LF, CR and U+0020–U+007E). */
const SPECIAL_RUN = /[^\t\n\r\x20-\x7e]+/g;
/** Runs closer than this are normalized as one segment, so the number of native calls stays at most length / 32. */
const SEGMENT_GAP = 32;

/**
 * `[start, end)` pairs (flattened) of the segments whose NFKC can differ from their text, or `undefined` when
 * {@link strip} has work to do. Each segment is a run of code units outside printable ASCII (runs fewer than
 * {@link SEGMENT_GAP} apart merged) plus the one ASCII character before it, which a combining mark may attach to.
 * Every ASCII character is a normalization boundary (a starter that never composes with what precedes it, and
 * which reordering cannot move), so normalizing the segments one by one equals normalizing the whole text.
 */
function specialSegments(text: string): number[] | undefined {
  const segments: number[] = [];
  SPECIAL_RUN.lastIndex = 0;
  for (let m = execCounted(SPECIAL_RUN, text); m !== null; m = execCounted(SPECIAL_RUN, text)) {
    const runStart = m.index;
    const runEnd = runStart + m[0].length;
    countWork(runEnd - runStart);
    for (let i = runStart; i < runEnd; i++) {
      const flag = STRIP_UNIT[text.charCodeAt(i)]!;
      if (flag === 0) continue;
      if (flag === 1) return undefined;
      const unit = text.charCodeAt(i);
      const next = i + 1 < runEnd ? text.charCodeAt(i + 1) : 0;
      if (unit > 0xdbff || next < 0xdc00 || next > 0xdfff) return undefined; // lone surrogate
      i++;
    }
    const start = runStart > 0 ? runStart - 1 : 0;
    const last = segments.length - 1;
    if (last > 0 && start - segments[last]! < SEGMENT_GAP) segments[last] = runEnd;
    else segments.push(start, runEnd);
  }
  return segments;
}

/** Strip (when `dirty`), then NFKC of the whole text, with the defensive re-check. */
function normalizeSlow(text: string, counts: MutableCounts, dirty: boolean): NormalizedText {
  const stripped = dirty ? strip(text, counts) : text;
  let out = stripped.normalize('NFKC');
  countWork(stripped.length + out.length);
  // NFKC of an assigned code point never yields a removable one today; check defensively (bounded) whenever NFKC
  // changed the text (strip is idempotent, so re-stripping an unchanged text could only repeat the first pass).
  for (let pass = 0; pass < 3 && out !== stripped && needsStrip(out); pass++) {
    const again = strip(out, counts);
    if (again === out) break;
    out = again.normalize('NFKC');
    countWork(again.length + out.length);
  }
  return { text: out, removed: counts };
}

/** The total number of code points counted in `removed`. */
export function totalRemoved(removed: RemovedCounts): number {
  return removed.tagCharacters + removed.zeroWidth + removed.bidiControls + removed.variationSelectors
    + removed.otherInvisible + removed.controlCharacters + removed.loneSurrogates;
}

/**
 * Decode text hidden in invisible code points so a screen can read what a person cannot see:
 * tag characters U+E0020–E007E map to ASCII, and runs of variation selectors (U+FE00–FE0F = bytes 0–15,
 * U+E0100–E01EF = bytes 16–255) are decoded as UTF-8. Other characters are dropped; separate hidden runs are joined
 * with a newline. Returns `''` when nothing is hidden. Linear time, never throws.
 *
 * @param text - raw text, before {@link normalizeText} removes these code points.
 */
export function extractHiddenText(text: string): string {
  if (!testCounted(MAY_HIDE, text)) return '';
  const runs: string[] = [];
  // The current run of tag characters (as ASCII) and of variation-selector bytes; each char code or byte is below 256.
  const n = text.length;
  const tags = Buffer.allocUnsafe(n);
  const bytes = Buffer.allocUnsafe(n);
  let tagLen = 0;
  let byteLen = 0;
  let maxByte = 0;
  const flush = (): void => {
    // Decoding a run, then the filter and the join below, read its units.
    countWork(3 * (tagLen + byteLen));
    if (tagLen > 0) runs.push(tags.toString('latin1', 0, tagLen));
    // Bytes below '0' decode to ASCII controls and punctuation only, which the filter below drops anyway (this
    // skips the per-emoji noise of presentation selectors without decoding it).
    if (maxByte >= 0x30) runs.push(bytes.toString('utf8', 0, byteLen));
    tagLen = 0;
    byteLen = 0;
    maxByte = 0;
  };
  for (let i = 0; i < n; i++) {
    const unit = text.charCodeAt(i);
    if (unit === 0xdb40 && i + 1 < n) {
      // Supplementary plane 14: U+E0000–E03FF.
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        const cp = 0xe0000 + (low - 0xdc00);
        i += 1;
        if (cp >= 0xe0020 && cp <= 0xe007e) {
          tags[tagLen++] = cp - 0xe0000;
          continue;
        }
        if (cp >= 0xe0100 && cp <= 0xe01ef) {
          bytes[byteLen++] = cp - 0xe0100 + 16;
          maxByte = Math.max(maxByte, cp - 0xe0100 + 16);
          continue;
        }
        continue; // U+E0001 language tag, U+E007F cancel tag: structure only
      }
    }
    if (unit >= 0xfe00 && unit <= 0xfe0f) {
      bytes[byteLen++] = unit - 0xfe00; // below 0x10: leaves maxByte
      continue;
    }
    if (tagLen > 0 || byteLen > 0) flush();
  }
  flush();
  countWork(n); // the loop visits each code unit once
  // A lone emoji presentation selector after an emoji decodes to a control byte; drop such noise.
  return runs.filter((r) => /[\p{L}\p{N}]/u.test(r)).join('\n');
}

/**
 * Cyrillic, Greek and other letters that look like lower-case Latin letters, mapped to the letter they imitate.
 * NFKC does not fold these (they are distinct letters); screens use the map to read "ignоre" (Cyrillic о) as
 * "ignore". Keys and values are single lower-case code points.
 */
export const LATIN_CONFUSABLES: Readonly<Record<string, string>> = {
  'а': 'a', 'е': 'e', 'і': 'i', 'ї': 'i', 'ј': 'j', 'о': 'o', 'р': 'p', 'с': 'c', 'у': 'y', 'х': 'x',
  'ѕ': 's', 'һ': 'h', 'ԁ': 'd', 'ԛ': 'q', 'ԝ': 'w', 'ӏ': 'l', 'к': 'k', 'ν': 'v', 'α': 'a', 'ε': 'e', 'ι': 'i',
  'κ': 'k', 'ο': 'o', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ϲ': 'c', 'ɡ': 'g', 'ı': 'i', 'օ': 'o', 'ս': 'u',
};

/** Code units of the text {@link encodedRuns} reads (see {@link UnitBuffer}). */
const runUnits = new UnitBuffer();
/** 1 for characters of the base64 alphabets (standard and URL-safe) and `=`, by UTF-16 code unit. */
const B64_ALPHABET = new Uint8Array(0x10000);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-=') B64_ALPHABET[ch.charCodeAt(0)] = 1;

/**
 * Maximal runs of at least `minLength` base64-alphabet characters (`A–Z a–z 0–9 + / _ - =`), as `[start, end)` pairs,
 * for screens that decode base64 or hex payloads.
 *
 * A run long enough must fill a window of `minLength` characters, so windows are checked from their right end, as
 * Boyer–Moore skips: a character outside the alphabet at `j` rules out every window containing it, and the next
 * window starts right after it. Characters a failed check has already seen are not read again, so each code unit is
 * read at most once; in prose (a space every few characters) a check reads a few characters and skips almost a whole
 * window, so most of the text is never read.
 *
 * @param text - any string.
 * @param minLength - the shortest run to report, at least 2.
 */
export function encodedRuns(text: string, minLength: number): Array<[number, number]> {
  const step = Math.max(2, Math.floor(minLength));
  const runs: Array<[number, number]> = [];
  const n = text.length;
  let reads = 0; // code units read
  let w = 0; // the next window is [w, w + step); the character before it, if any, is outside the alphabet
  let known = 0; // [w, known) is already known to be in the alphabet
  const u = runUnits.read(text);
  while (w + step <= n) {
    const right = w + step - 1;
    let j = right;
    while (j >= known && B64_ALPHABET[u[j]!] === 1) j--;
    reads += j >= known ? right - j + 1 : right - j;
    if (j >= known) {
      // text[j] is outside the alphabet and text(j, right] inside it.
      known = right + 1;
      w = j + 1;
      continue;
    }
    // The whole window is in the alphabet: the run starts at w and extends to the right.
    let end = right + 1;
    while (end < n && B64_ALPHABET[u[end]!] === 1) end++;
    reads += (end < n ? end + 1 : n) - (right + 1);
    runs.push([w, end]);
    w = end + 1;
    known = w;
  }
  countWork(reads);
  return runs;
}

/**
 * The first position at or after `from` where `literal` starts, found by scanning for its character
 * `literal[anchor]`: a single-character `indexOf` is a vectorized scan, while `indexOf` of a literal whose first
 * character is common ("rot13", "display:none") stops at every occurrence of that character. Choose a rare anchor.
 *
 * @param text - the text to search.
 * @param literal - a non-empty literal.
 * @param anchor - index in `literal` of the character to scan for.
 * @param from - the first start position to consider.
 */
export function indexOfLiteral(text: string, literal: string, anchor: number, from = 0): number {
  const ch = literal[anchor]!;
  const scanFrom = Math.max(0, from + anchor);
  let candidates = 0;
  // Each indexOf scans on from the previous hit, so the scans together cover [scanFrom, where the loop stops).
  for (let i = text.indexOf(ch, scanFrom); i >= 0; i = text.indexOf(ch, i + 1)) {
    candidates++;
    if (literal.length === 1 || text.startsWith(literal, i - anchor)) {
      countWork(i + 1 - scanFrom + candidates * literal.length);
      return i - anchor;
    }
  }
  countWork(Math.max(1, text.length - scanFrom) + candidates * literal.length);
  return -1;
}
