/**
 * Decoded views of encoded payloads (base64, base32, hex, percent-encoding, ROT13, reversed text), screened by the
 * same token rules as the text itself. Encoded runs are maximal, so they never overlap and decoding them all is linear.
 */
import { encodedRuns, indexOfLiteral } from './normalize';
import { includesIgnoringCase, isAsciiLetter, startsWithIgnoringCase } from './literal';
import { countWork } from './work';

const PERCENT = /%[0-9a-fA-F]{2}/g;
/** Exotic whole-text views (ROT13, reversed, percent-decoded) look at this many leading characters. */
const EXOTIC_VIEW_CHARS = 64 * 1024;

/** The number of `%XX` escapes in `text` (non-overlapping, left to right), counting up to `max`. */
function percentEscapes(text: string, max: number): number {
  let count = 0;
  let i = text.indexOf('%');
  while (i >= 0 && count < max) {
    if (HEX_DIGIT[text.charCodeAt(i + 1)] === 1 && HEX_DIGIT[text.charCodeAt(i + 2)] === 1) {
      count++;
      i = text.indexOf('%', i + 3);
    } else {
      i = text.indexOf('%', i + 1);
    }
  }
  countWork(i < 0 ? text.length : i + 1); // each scan resumes after the previous '%'
  return count;
}
const HEX_DIGIT = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF') HEX_DIGIT[ch.charCodeAt(0)] = 1;

/** "rot13", "rot-13" or "rot 13", ignoring ASCII case. */
function hasRot13Mention(text: string): boolean {
  for (let i = indexOfLiteral(text, '13', 0); i >= 0; i = indexOfLiteral(text, '13', 0, i + 1)) {
    if (startsWithIgnoringCase(text, i - 3, 'rot') || startsWithIgnoringCase(text, i - 4, 'rot-') || startsWithIgnoringCase(text, i - 4, 'rot ')) return true;
  }
  return false;
}

/**
 * Whether a decoded payload reads as text (printable ASCII, mostly letters, with spaces): its first `length` bytes
 * in `bytes`, each read as the character of that code (as a Latin-1 decode would give it).
 */
function looksLikeText(bytes: Uint8Array, length: number): boolean {
  if (length < 8) return false;
  let good = 0;
  let letters = 0;
  let spaces = 0;
  const n = Math.min(length, 512);
  countWork(n);
  for (let i = 0; i < n; i++) {
    const c = bytes[i]!;
    if (c >= 0x20 && c < 0x7f) good++;
    if (isAsciiLetter(c)) letters++;
    if (c === 0x20) spaces++;
  }
  return good / n > 0.95 && letters / n > 0.6 && spaces > 0;
}

/**
 * Decoded heads of candidate payloads, reused between runs: a payload is decoded into it to be tested, and a string
 * is built only for one that reads as text (most runs are identifiers, paths or hashes). Large enough for the longest
 * head tested: 684 base64 characters (513 bytes) or 1024 hex digits (512 bytes).
 */
const DECODED = Buffer.alloc(1024);

const HEX_ONLY = /^(?:0x)?[0-9a-fA-F]+$/;
/** RFC 4648 base32: upper-case letters and the digits 2-7, padded with `=`. */
const BASE32_ONLY = /^[A-Z2-7]+=*$/;
/** Value of each base32 character by code unit, -1 outside the alphabet. */
const BASE32_VALUE = new Int8Array(128).fill(-1);
for (let k = 0; k < 32; k++) BASE32_VALUE['ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.charCodeAt(k)] = k;

/**
 * Decode the base32 run `run` (alphabet checked by {@link BASE32_ONLY}) into `out`, at most `max` bytes; returns the
 * number of bytes written. Five bits per character, so 8 characters give 5 bytes; decoding stops at the padding.
 */
function decodeBase32(run: string, out: Buffer, max: number): number {
  let bits = 0;
  let value = 0;
  let length = 0;
  const n = run.length;
  for (let i = 0; i < n && length < max; i++) {
    const v = BASE32_VALUE[run.charCodeAt(i)]!;
    if (v < 0) break; // padding
    value = ((value << 5) | v) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[length++] = (value >> bits) & 0xff;
    }
  }
  countWork(n);
  return length;
}

/**
 * Words that are common English function words and attack verbs after ROT13 ("gur" = "the", "naq" = "and",
 * "lbh" = "you", "vtaber" = "ignore"): text that uses two different ones is read as ROT13 even when it does not say
 * so. They are not words of any language the screen reads, so prose never shows two of them.
 */
const ROT13_WORD = /\b(?:gur|naq|lbh|lbhe|nyy|jvgu|guvf|gung|abj|sbe|jung|nobhg|cerivbhf|vafgehpgvbaf|vtaber|sbetrg|cevag|fnl|whfg|cebzcg|flfgrz|cnffjbeq)\b/gi;
/** Two different ROT13 words ({@link ROT13_WORD}) in `text`. */
function hasRot13Words(text: string): boolean {
  ROT13_WORD.lastIndex = 0;
  let first: string | undefined;
  countWork(text.length);
  for (let m = ROT13_WORD.exec(text); m !== null; m = ROT13_WORD.exec(text)) {
    const word = m[0].toLowerCase();
    if (first === undefined) first = word;
    else if (word !== first) return true;
  }
  return false;
}
const BASE64_MIX = /[0-9+/=]|[A-Z][a-z]|[a-z][A-Z]/;

/** One decoded view: the signal id of its encoding and the decoded text. */
export interface View {
  readonly kind: string;
  readonly text: string;
}

/**
 * Decoded views of encoded payloads, screened by the same token rules. Base64 and hex runs are maximal, so they never
 * overlap and decoding them all is linear; all payloads of one kind form one view.
 */
export function decodedViews(text: string): View[] {
  const b64: string[] = [];
  const b32: string[] = [];
  const hex: string[] = [];
  for (const [start, end] of encodedRuns(text, 16)) {
    // Slice, the '=' trim, the hex and mix tests, at most one decode of the run and one of its head.
    countWork(6 * (end - start));
    let run = text.slice(start, end);
    if (run.charCodeAt(0) === 0x3d) run = run.replace(/^=+/, '');
    if (HEX_ONLY.test(run)) {
      const body = run.length % 2 === 0 ? run : run.slice(0, -1);
      if (looksLikeText(DECODED, DECODED.write(body.slice(0, 1024), 'hex'))) {
        hex.push(Buffer.from(body, 'hex').toString('utf8'));
        continue;
      }
    }
    // Base32 (upper case and 2-7 only) is also valid base64, which decodes it to noise: try it first. Its first 820
    // characters (512 bytes) are decoded for the check; a longer run is decoded again whole for the view.
    if (BASE32_ONLY.test(run)) {
      const length = decodeBase32(run, DECODED, 512);
      if (looksLikeText(DECODED, length)) {
        if (run.length <= 816) {
          b32.push(DECODED.toString('utf8', 0, length));
        } else {
          const whole = Buffer.alloc(Math.ceil((run.length * 5) / 8));
          b32.push(whole.toString('utf8', 0, decodeBase32(run, whole, whole.length)));
        }
        continue;
      }
    }
    // Plain words are not payloads: base64 of text mixes cases or has digits and symbols. A short run is decoded
    // once for both the check (its first 684 characters) and the view.
    if (!BASE64_MIX.test(run.length > 64 ? run.slice(0, 64) : run)) continue;
    if (run.length <= 684) {
      const length = DECODED.write(run, 'base64');
      if (looksLikeText(DECODED, length)) b64.push(DECODED.toString('utf8', 0, length));
    } else if (looksLikeText(DECODED, DECODED.write(run.slice(0, 684), 'base64'))) {
      b64.push(Buffer.from(run, 'base64').toString('utf8'));
    }
  }
  const views: View[] = [];
  if (b64.length > 0) views.push({ kind: 'obfuscation.base64', text: b64.join('\n') });
  if (hex.length > 0) views.push({ kind: 'obfuscation.hex', text: hex.join('\n') });
  if (b32.length > 0) views.push({ kind: 'obfuscation.base32', text: b32.join('\n') });
  const head = text.length > EXOTIC_VIEW_CHARS ? text.slice(0, EXOTIC_VIEW_CHARS) : text;
  if (percentEscapes(head, 3) >= 3) {
    countWork(head.length);
    views.push({ kind: 'obfuscation.percent-encoding', text: head.replace(PERCENT, (h) => String.fromCharCode(parseInt(h.slice(1), 16))) });
  }
  // Literal checks scan for a rare character of the literal (see indexOfLiteral).
  if (hasRot13Mention(text) || hasRot13Words(head)) {
    countWork(head.length);
    views.push({ kind: 'obfuscation.rot13', text: head.replace(/[a-zA-Z]/g, (ch) => {
      const base = ch <= 'Z' ? 65 : 97;
      return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
    }) });
  }
  if (includesIgnoringCase(text, 'backward', 3) || includesIgnoringCase(text, 'revers', 2)) {
    countWork(3 * head.length); // code points, reverse, join
    views.push({ kind: 'obfuscation.reversed', text: Array.from(head).reverse().join('') });
  }
  return views;
}
