/** ASCII-case-insensitive literal search helpers for the structural detectors and decoders (bounded, counted). */
import { countWork } from './work';

/** Whether `c` is an ASCII letter. */
export function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Whether `literal` (lower case) starts at `at` in `text`, ignoring ASCII case. */
export function startsWithIgnoringCase(text: string, at: number, literal: string): boolean {
  if (at < 0 || at + literal.length > text.length) return false;
  for (let k = 0; k < literal.length; k++) {
    const c = text.charCodeAt(at + k);
    const l = literal.charCodeAt(k);
    if (c !== l && !(l >= 0x61 && l <= 0x7a && c === l - 0x20)) return false;
  }
  return true;
}

/**
 * Whether `text` contains `literal` (lower case), ignoring ASCII case: scans for its character `literal[anchor]` (in
 * both cases when it is a letter; pick a rare one).
 */
export function includesIgnoringCase(text: string, literal: string, anchor: number): boolean {
  const l = literal.charCodeAt(anchor);
  const forms = l >= 0x61 && l <= 0x7a ? [literal[anchor]!, String.fromCharCode(l - 0x20)] : [literal[anchor]!];
  for (const ch of forms) {
    let candidates = 0;
    for (let i = text.indexOf(ch, anchor); i >= 0; i = text.indexOf(ch, i + 1)) {
      candidates++;
      if (startsWithIgnoringCase(text, i - anchor, literal)) {
        countWork(i + 1 + candidates * literal.length);
        return true;
      }
    }
    countWork(text.length + candidates * literal.length);
  }
  return false;
}

