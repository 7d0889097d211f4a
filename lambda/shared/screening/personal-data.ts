/**
 * A deterministic detector of personal data in untrusted text (training records): the identifiers that should never
 * be taught to a model. It counts, per kind, matches that are checked beyond their shape where a check exists:
 * - `email`: an address with a dotted domain;
 * - `payment-card`: 13-19 digits (spaces or hyphens between groups) that pass the Luhn check;
 * - `iban`: a country code, two check digits and 11-30 letters or digits that pass the ISO 13616 mod-97 check;
 * - `us-ssn`: `ddd-dd-dddd` outside the never-issued ranges (000, 666, 9xx; 00; 0000);
 * - `phone`: an international number, `+` and 8-15 digits (spaces, dots or hyphens between groups).
 *
 * It returns counts only, never the text. The patterns have bounded quantifiers and each scan reports its span to the
 * work counter, so the cost is linear in the input. Names, addresses and free-text identifiers are not detected: the
 * Bedrock guardrail's PII filters cover them at inference time, not here.
 *
 * @module
 */
import { countWork } from './work';

/** A kind of personal data {@link countPersonalData} detects. */
export type PersonalDataKind = 'email' | 'payment-card' | 'iban' | 'us-ssn' | 'phone';

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
const CARD = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g;
const IBAN = /\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b/g;
const SSN = /(?<![0-9-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![0-9-])/g;
const PHONE = /(?<![0-9+])\+[0-9](?:[ .-]?[0-9]){7,14}(?![0-9])/g;

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/ /g, '');
  const rearranged = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

function count(text: string, pattern: RegExp, valid: (m: RegExpExecArray) => boolean): number {
  pattern.lastIndex = 0;
  let n = 0;
  let last = 0;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    countWork(pattern.lastIndex - last);
    last = pattern.lastIndex;
    if (valid(m)) n++;
  }
  countWork(text.length - last);
  return n;
}

/**
 * Counts personal data in `text` by kind; kinds with no match are absent. Deterministic, no I/O, linear in the input.
 */
export function countPersonalData(text: string): Partial<Record<PersonalDataKind, number>> {
  const found: Partial<Record<PersonalDataKind, number>> = {};
  const add = (kind: PersonalDataKind, n: number): void => {
    if (n > 0) found[kind] = n;
  };
  add('email', count(text, EMAIL, () => true));
  add('payment-card', count(text, CARD, (m) => luhn(m[0].replace(/[ -]/g, '')) && !/^0+$/.test(m[0].replace(/[ -]/g, ''))));
  add('iban', count(text, IBAN, (m) => ibanValid(m[0])));
  add('us-ssn', count(text, SSN, (m) => m[1] !== '000' && m[1] !== '666' && !m[1]!.startsWith('9') && m[2] !== '00' && m[3] !== '0000'));
  add('phone', count(text, PHONE, () => true));
  return found;
}
