/**
 * Screening of model output before it leaves the gateway (OWASP LLM02, LLM05, LLM07).
 *
 * Pure and I/O-free. In order, on NFKC-normalized text without invisible characters:
 * 1. **Secrets** are replaced by `[REDACTED:<kind>]`: private key blocks, JWTs, AWS access key ids, AWS secret keys
 *    near an AWS keyword or an access key id, GitHub, Slack, OpenAI/Anthropic/Stripe/Google keys, bearer tokens and
 *    `password=` / `api_key:` style assignments (placeholders such as `<your-key>` or `${VAR}` are left alone).
 * 2. **Links** to hosts outside `allowedLinkHosts` (exact host or a subdomain of one) are removed: inline images are
 *    dropped entirely, inline links keep their text, reference definitions are deleted together with the references
 *    that used them, autolinks `<https://…>` are deleted. Only absolute `http(s)` URLs can be allowed; `data:`,
 *    `javascript:`, `vbscript:`, `file:` and relative targets are always removed.
 * 3. **Raw HTML** is neutralized unless `allowHtml`: every `<` that opens a tag, comment or declaration becomes `&lt;`.
 * 4. **Bare URLs** (`http(s)://`, `ftp://`, `www.`, protocol-relative `//host.tld/…`) to other hosts become
 *    `[link removed]`, whatever they carry: a host name (`https://ssn-123-45-6789.evil.example/`) or a path carries
 *    data as well as a query string does, and clients that unfurl links fetch it without a click. With an empty
 *    allow-list every URL goes. A URL runs to white space or `<`, as GFM reads it; its authority must be plain ASCII
 *    host and port (userinfo, quotes, percent-escapes and IDN spellings are removed, even of an allowed host).
 * 5. The passes repeat until the text no longer changes (removing one construct can reveal another), at most
 *    {@link MAX_PASSES} times; text that is still changing is blocked.
 * 6. **Canary**: if the per-request canary from the system prompt appears — in the input or in the result,
 *    case-insensitively, after NFKC, with invisible characters, spacing, punctuation or markup between its
 *    characters, reversed, with look-alike letters, or inside a base64 or hex payload — the response is blocked and
 *    its text is empty.
 *
 * Every regular expression here has bounded quantifiers and starts only at a delimiter character, so the work is
 * linear in the input length. Every loop and native call reports its work to {@link countWork}, so tests prove that
 * by counting instead of timing.
 *
 * Failure semantics: `screenOutput` never throws for any text. It throws {@link OutputScreeningError} only for invalid
 * options (a canary shorter than 8 letters or digits, a malformed allowed host). The caller must treat any exception
 * from this module as "blocked": no unscreened model output may leave the gateway.
 */
import { encodedRuns, indexOfLiteral, LATIN_CONFUSABLES, normalizeText, totalRemoved } from '../shared/screening/normalize';
import { countWork, execCounted, testCounted } from '../shared/screening/work';

/** Options for {@link screenOutput}. */
export interface ScreenOutputOptions {
  /** The per-request canary embedded in the system prompt; at least 8 letters or digits. */
  readonly canary: string;
  /** Hosts that links and images may point to; subdomains are allowed too. `[]` removes every link. */
  readonly allowedLinkHosts: readonly string[];
  /**
   * Pass raw HTML through (only for clients that sanitize HTML themselves). Links in `href`/`src` to other hosts are
   * still removed.
   * @default false
   */
  readonly allowHtml?: boolean;
}

/** The result of {@link screenOutput}. */
export interface ScreenOutputResult {
  /** The screened text; `''` when blocked. */
  readonly text: string;
  /** The response must not be returned (canary leak, or the text would not stabilize). */
  readonly blocked: boolean;
  /** Why the text was changed or blocked, as short ids (for example `canary-leak`, `link-removed`); sorted. */
  readonly reasons: string[];
  /** Number of secrets replaced by `[REDACTED:<kind>]`. */
  readonly redactions: number;
  /** Number of links, images, reference definitions and URLs removed. */
  readonly removedLinks: number;
}

/** Invalid options for {@link screenOutput}; callers map it (like any exception from screening) to a blocked response. */
export class OutputScreeningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputScreeningError';
  }
}

/** Maximum number of screening passes before an unstable text is blocked. */
export const MAX_PASSES = 4;

const MIN_CANARY = 8;
const HOST_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

interface Acc {
  redactions: number;
  removedLinks: number;
  reasons: Set<string>;
  /** Runs of base64-alphabet characters of the last text examined (the canary check and the AWS secret hint share them). */
  runs?: { readonly text: string; readonly runs: Array<[number, number]> };
  /** The shortest run either reader needs. */
  minRun: number;
  /**
   * An edit of this pass may have left the text not NFKC-normalized (see {@link noteEdit}); otherwise the pass output,
   * made of pieces of a normalized text and ASCII, is normalized as it is.
   */
  unsettled: boolean;
}

/**
 * Record the replacement of `text[start, end)` by `rep`. Every piece of a pass output is a substring of the
 * (normalized) pass input or ASCII; a substring of an NFKC-normalized, well-formed text is normalized, and an ASCII
 * character is a normalization boundary. So the output stays normalized unless a junction puts a non-ASCII
 * character right after it (a combining mark on a new base, a presentation selector after a non-emoji, half of a
 * surrogate pair) or leaves a high surrogate right before it: only then does the pass output need normalizing again.
 */
function noteEdit(acc: Acc, text: string, start: number, end: number, rep: string): void {
  const before = start > 0 ? text.charCodeAt(start - 1) : 0;
  const after = end < text.length ? text.charCodeAt(end) : 0;
  const unsafe = (left: number, right: number): boolean => right >= 0x80 || (left >= 0xd800 && left <= 0xdbff);
  if (rep.length === 0 ? unsafe(before, after) : unsafe(before, rep.charCodeAt(0)) || unsafe(rep.charCodeAt(rep.length - 1), after)) {
    acc.unsettled = true;
  }
}

/** Maximal base64-alphabet runs of at least `acc.minRun` characters in `text`, computed once per text. */
function runsOf(text: string, acc: Acc): Array<[number, number]> {
  if (acc.runs?.text !== text) acc.runs = { text, runs: encodedRuns(text, acc.minRun) };
  return acc.runs.runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Canary detection.
// ---------------------------------------------------------------------------------------------------------------

/** Per BMP code unit: the lower-case Latin letter or digit it stands for, or 0 (dropped). */
const SQUEEZE = new Uint16Array(0x10000);
for (let c = 0x30; c <= 0x39; c++) SQUEEZE[c] = c;
for (let c = 0x61; c <= 0x7a; c++) {
  SQUEEZE[c] = c;
  SQUEEZE[c - 0x20] = c;
}
for (const [lookAlike, latin] of Object.entries(LATIN_CONFUSABLES)) {
  for (const form of [lookAlike, lookAlike.toUpperCase()]) {
    if (form.length === 1) SQUEEZE[form.charCodeAt(0)] = latin.charCodeAt(0);
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
for (let u = 0; u < 0x10000; u++) if (SQUEEZE[u] !== 0) SQUEEZE_FORMS[SQUEEZE[u]!]!.push(String.fromCharCode(u));
/** Letters and digits from rarest to most common in English text: the canary is searched by its rarest character. */
const RARITY = '0123456789qjzxkvbpgwyfmculdrhsnioate';

/** The canary in the forms {@link containsCanary} looks for. */
interface Canary {
  readonly key: string;
  readonly reversed: string;
  /** Index in `key` of the character whose occurrences anchor the search. */
  readonly anchor: number;
  /** The code units that squeeze to `key[anchor]`. */
  readonly forms: readonly string[];
  /** Shortest base64 run that can hold the canary. */
  readonly minRun: number;
}

function canaryOf(canary: string): Canary {
  const key = squeeze(normalizeText(canary).text);
  if (key.length < MIN_CANARY) {
    throw new OutputScreeningError(`canary must contain at least ${MIN_CANARY} letters or digits, got ${key.length}`);
  }
  let anchor = 0;
  for (let k = 1; k < key.length; k++) if (RARITY.indexOf(key[k]!) < RARITY.indexOf(key[anchor]!)) anchor = k;
  return {
    key,
    reversed: [...key].reverse().join(''),
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

/** Base64 of text mixes cases or has digits and symbols; plain words do not. */
const ENCODED_MIX = /[0-9+/=]|[A-Z][a-z]|[a-z][A-Z]/;
const HEX = /^[0-9a-fA-F]+$/;

/** Whether `text` contains the canary in any of the forms listed in the module documentation. */
function containsCanary(text: string, c: Canary, acc: Acc): boolean {
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

// ---------------------------------------------------------------------------------------------------------------
// Candidate-driven matching. A pattern that must start with (or contain, at a bounded offset) a literal is run
// sticky only at the positions a native `indexOf` scan finds for that literal, instead of being scanned over the
// whole text. Candidate lists are ascending supersets of the positions where the pattern can match, so the result is
// exactly that of a global `replace` (leftmost, non-overlapping matches). When candidates are dense (adversarial
// text made of the trigger character), the global scan is used instead, so the work stays linear either way.
// ---------------------------------------------------------------------------------------------------------------

/** More candidates than `length / DENSE` fall back to a plain global scan. */
const DENSE = 16;

/** A sticky copy of a global pattern, for matching at one position. */
function sticky(re: RegExp): RegExp {
  return new RegExp(re.source, `${re.flags.replace('g', '')}y`);
}

/** The most trigger positions worth visiting one by one in a text of `length` characters. */
function denseLimit(length: number): number {
  return Math.floor(length / DENSE) + 64;
}

/**
 * Start positions of `literal` (overlapping ones too) for which `accept` holds, appended to `out`; `undefined` when
 * they are dense. The native scan looks for one character of the literal, `literal[anchor]`: a single-character
 * `indexOf` is a vectorized scan, while a literal whose first character is common ("sk-", "eyJ") is searched slowly.
 */
function occurrences(text: string, literal: string, anchor = 0, out: number[] = [], accept?: (i: number) => boolean): number[] | undefined {
  let budget = denseLimit(text.length);
  const ch = literal[anchor]!;
  let candidates = 0;
  // Each scan resumes after the previous hit, so together they read up to where the loop stops; each candidate
  // costs a comparison with the literal and a call of `accept`.
  for (let i = text.indexOf(ch, anchor); i >= 0; i = text.indexOf(ch, i + 1)) {
    if (--budget < 0) {
      countWork(i + 1 + candidates * (literal.length + 1));
      return undefined;
    }
    candidates++;
    const start = i - anchor;
    if (literal.length > 1 && !text.startsWith(literal, start)) continue;
    if (accept === undefined || accept(start)) out.push(start);
  }
  countWork(text.length + candidates * (literal.length + 1));
  return out;
}

function ascending(xs: number[]): number[] {
  countWork(xs.length * Math.ceil(Math.log2(xs.length + 1)));
  return xs.sort((a, b) => a - b);
}

/**
 * Replace the leftmost non-overlapping matches of `global` (a `g` pattern) with `fn(match)`; `at` is its sticky copy
 * and `starts` the candidate positions (or `undefined` for a full scan). Returns `text` itself when nothing matched.
 */
function replaceMatches(text: string, global: RegExp, at: RegExp, starts: readonly number[] | undefined, acc: Acc, fn: (m: RegExpExecArray) => string): string {
  const pieces: string[] = [];
  let copied = 0;
  let matched = false;
  const take = (m: RegExpExecArray): number => {
    matched = true;
    const end = m.index + m[0].length;
    const replacement = fn(m);
    countWork(m[0].length + replacement.length);
    if (replacement !== m[0]) noteEdit(acc, text, m.index, end, replacement);
    pieces.push(text.slice(copied, m.index), replacement);
    copied = end;
    return m[0].length > 0 ? copied : m.index + 1;
  };
  if (starts === undefined) {
    global.lastIndex = 0;
    for (let m = execCounted(global, text); m !== null; m = execCounted(global, text)) global.lastIndex = take(m);
  } else {
    let from = 0;
    countWork(starts.length);
    for (let k = 0; k < starts.length; k++) {
      const p = starts[k]!;
      if (p < from) continue;
      at.lastIndex = p;
      const m = execCounted(at, text);
      if (m !== null) from = take(m);
    }
  }
  if (!matched) return text;
  countWork(text.length); // the pieces joined into one string
  pieces.push(text.slice(copied));
  // One flat string (see normalizeText).
  return pieces.join('');
}

/** Whether `text` has `word` (lower-case ASCII letters) ending just before `end`, ignoring ASCII case. */
function endsWithWord(text: string, end: number, word: string): boolean {
  const start = end - word.length;
  if (start < 0) return false;
  for (let k = 0; k < word.length; k++) {
    if ((text.charCodeAt(start + k) | 0x20) !== word.charCodeAt(k)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Secrets.
// ---------------------------------------------------------------------------------------------------------------

interface SecretPattern {
  readonly kind: string;
  readonly re: RegExp;
  /** Capture group holding the secret; the rest of the match is kept. 0 = the whole match. */
  readonly group: number;
  /** Candidate start positions (see {@link replaceMatches}); `undefined` scans the whole text. */
  readonly starts: (text: string) => number[] | undefined;
  /** A cheap check that must hold for the pattern to match (skips it otherwise). */
  readonly hint?: (text: string) => boolean;
}

const isWordChar = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;

const BEARER_HINT = /bearer[ \t]/i;

// Each pattern starts at a boundary (a lookbehind on the token alphabet), so matching attempts never start inside a
// run that an earlier attempt already scanned; quantifiers are bounded.
const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    kind: 'jwt',
    re: /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{8,4096}(?![A-Za-z0-9_-])/g,
    group: 0,
    starts: (t) => occurrences(t, 'eyJ', 2),
  },
  {
    kind: 'aws-access-key-id',
    re: /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|APKA|AROA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g,
    group: 0,
    // Every prefix is "A??A".
    starts: (t) => occurrences(t, 'A', 0, [], (i) => t.charCodeAt(i + 3) === 0x41),
  },
  {
    kind: 'github-token',
    re: /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])/g,
    group: 0,
    starts: (t) => {
      // Both forms have an '_' at a fixed offset: "gh?_" at 3, "github_pat_" at 6.
      const underscores = occurrences(t, '_');
      if (underscores === undefined) return undefined;
      const out: number[] = [];
      countWork(underscores.length * 11);
      for (const i of underscores) {
        if (i >= 3 && t.charCodeAt(i - 3) === 0x67 && t.charCodeAt(i - 2) === 0x68) out.push(i - 3);
        if (i >= 6 && t.startsWith('github_pat_', i - 6)) out.push(i - 6);
      }
      return ascending(out);
    },
  },
  {
    kind: 'slack-token',
    re: /(?<![A-Za-z0-9-])xox[abposr]-[A-Za-z0-9-]{10,250}(?![A-Za-z0-9-])/g,
    group: 0,
    starts: (t) => occurrences(t, 'xox', 0),
  },
  {
    kind: 'slack-webhook',
    re: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]{20,200}/g,
    group: 0,
    starts: (t) => occurrences(t, 'https://hooks.slack.com/services/', 5),
  },
  {
    kind: 'api-key',
    re: /(?<![A-Za-z0-9_-])(?:sk-(?:proj-|ant-[a-z0-9]{2,10}-)?[A-Za-z0-9_-]{20,200}|sk_live_[A-Za-z0-9]{16,200}|AIza[0-9A-Za-z_-]{35})(?![A-Za-z0-9_-])/g,
    group: 0,
    starts: (t) => {
      const out = occurrences(t, 'sk-', 2);
      const live = out === undefined ? undefined : occurrences(t, 'sk_live_', 2, out);
      const all = live === undefined ? undefined : occurrences(t, 'AIza', 2, live);
      return all === undefined ? undefined : ascending(all);
    },
  },
  {
    kind: 'bearer-token',
    re: /(?<![A-Za-z0-9])bearer[ \t]{1,8}([A-Za-z0-9._~+/-]{16,4096}=*)/gi,
    group: 1,
    // Case-insensitive: a native scan for the first letters' case variants is not cheaper than the pattern itself.
    starts: () => undefined,
    hint: (t) => BEARER_HINT.test(t),
  },
];
const SECRET_STICKY = SECRET_PATTERNS.map((p) => sticky(p.re));

const AWS_SECRET_CONTEXT = /aws.{0,3}secret|secret.{0,3}access.{0,3}key|aws.{0,3}sak|(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}/gi;
const AWS_SECRET_VALUE = /(?<![A-Za-z0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;
const AWS_SECRET_WINDOW = 120;

/** Whether `text` has a run of at least 40 base64-alphabet characters (needed by an AWS secret key). */
function hasLongRun(text: string, acc: Acc): boolean {
  const runs = runsOf(text, acc);
  countWork(runs.length);
  return runs.some(([start, end]) => end - start >= AWS_SECRET_LENGTH);
}
const AWS_SECRET_LENGTH = 40;

const ASSIGNMENT = /(?<![A-Za-z0-9_])(password|passwd|pwd|passphrase|client[_-]?secret|secret[_-]?key|secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|private[_-]?key)(["']?[ \t]{0,4}(?::|=)(?!=)[ \t]{0,4})("[^"\n]{1,256}"|'[^'\n]{1,256}'|[^\s"',;)}\]]{1,256})/gi;
const ASSIGNMENT_AT = sticky(ASSIGNMENT);
/** The longest key ASSIGNMENT accepts ("client_secret"). */
const MAX_KEY = 13;

/**
 * Candidate starts of ASSIGNMENT: its key ends, after an optional quote and up to 4 blanks, at a ':' or '=', so each
 * separator gives the positions up to {@link MAX_KEY} characters before it where the key's lookbehind holds.
 */
function assignmentStarts(t: string): number[] | undefined {
  const out: number[] = [];
  let budget = denseLimit(t.length);
  let colon = t.indexOf(':');
  let eq = t.indexOf('=');
  // The ':' scans and the '=' scans each resume after their previous hit: together they read the text twice at most.
  // Each separator then reads back at most 4 blanks, a quote and MAX_KEY key characters.
  countWork(2 * t.length);
  let separators = 0;
  while (colon >= 0 || eq >= 0) {
    if (--budget < 0) {
      countWork(separators * (6 + MAX_KEY));
      return undefined;
    }
    separators++;
    let q: number;
    if (eq < 0 || (colon >= 0 && colon < eq)) {
      q = colon;
      colon = t.indexOf(':', q + 1);
    } else {
      q = eq;
      eq = t.indexOf('=', q + 1);
    }
    let end = q;
    for (let k = 0; k < 4 && end > 0 && (t.charCodeAt(end - 1) === 0x20 || t.charCodeAt(end - 1) === 0x09); k++) end--;
    if (end > 0 && (t.charCodeAt(end - 1) === 0x22 || t.charCodeAt(end - 1) === 0x27)) end--;
    let s = end;
    while (s > 0 && end - s < MAX_KEY && isKeyChar(t.charCodeAt(s - 1))) s--;
    for (; s < end; s++) {
      if (s === 0 || !isWordChar(t.charCodeAt(s - 1))) out.push(s);
    }
  }
  countWork(separators * (6 + MAX_KEY));
  return out;
}

function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x2d;
}

const PLACEHOLDER = /^(?:\*+|x+|\.{3}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\[redacted:[a-z-]+\]|(?:process\.env|os\.environ|env)\b.*|your[_-].*|none|null|nil|undefined|true|false|string|str|number|int|bytes|any|optional\b.*)$/i;
const EXPRESSION = /[()[\]]|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[$%]/;
/** Six or more characters with a digit, a symbol, or mixed case. */
const SECRET_LIKE = /^(?=.{6})(?:.*[0-9]|.*[^A-Za-z0-9]|.*[a-z].*[A-Z]|.*[A-Z].*[a-z])/;

const PRIVATE_KEY_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----/y;
const PEM_BEGIN = '-----BEGIN ';
const PEM_END = '-----END ';

function placeholder(kind: string): string {
  return `[REDACTED:${kind}]`;
}

function redactPrivateKeys(text: string, acc: Acc): string {
  let out = '';
  let from = 0;
  let searchFrom = 0;
  for (let i = indexOfLiteral(text, PEM_BEGIN, 5, searchFrom); i >= 0; i = indexOfLiteral(text, PEM_BEGIN, 5, searchFrom)) {
    PRIVATE_KEY_BEGIN.lastIndex = i;
    if (!testCounted(PRIVATE_KEY_BEGIN, text)) {
      searchFrom = i + 1;
      continue;
    }
    // The block ends after the END line's closing dashes; an unterminated block runs to the end of the text.
    const endLine = text.indexOf(PEM_END, PRIVATE_KEY_BEGIN.lastIndex);
    let end = text.length;
    countWork((endLine < 0 ? text.length : endLine + PEM_END.length) - PRIVATE_KEY_BEGIN.lastIndex);
    if (endLine >= 0) {
      // The END line ends at its closing dashes, or at a line break before them. The line break is looked for only up
      // to the dashes (a scan of the whole rest of the text for every block would make many blocks on one line cost
      // quadratic time); without dashes there is no further block, so the one scan to the end happens once.
      const close = text.indexOf('-----', endLine + PEM_END.length);
      if (close < 0) {
        const newline = text.indexOf('\n', endLine);
        end = newline < 0 ? text.length : newline;
        countWork(2 * (text.length - endLine));
      } else {
        let newline = endLine;
        while (newline < close && text.charCodeAt(newline) !== 0x0a) newline++;
        end = newline < close ? newline : close + 5;
        countWork(2 * (close - endLine));
      }
    }
    countWork(end - from); // the block and the text before it, copied to `out`
    out += text.slice(from, i) + placeholder('private-key');
    noteEdit(acc, text, i, end, placeholder('private-key'));
    acc.redactions++;
    from = end;
    searchFrom = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Secrets in `input` replaced by placeholders; a later pass sees anything a removal joins. */
function redactSecrets(input: string, acc: Acc): string {
  let text = redactPrivateKeys(input, acc);
  // AWS secret keys are only recognizable by context; find them before the access key ids are replaced.
  const spans: Array<[number, number]> = [];
  AWS_SECRET_CONTEXT.lastIndex = hasLongRun(text, acc) ? 0 : text.length;
  for (let m = execCounted(AWS_SECRET_CONTEXT, text); m !== null; m = execCounted(AWS_SECRET_CONTEXT, text)) {
    const start = m.index + m[0].length;
    const window = text.slice(start, start + AWS_SECRET_WINDOW);
    const v = execCounted(AWS_SECRET_VALUE, window);
    if (v !== null && /[0-9/+]/.test(v[0]) && /[a-z]/.test(v[0]) && /[A-Z]/.test(v[0])) {
      const s = start + v.index;
      if (spans.length === 0 || spans[spans.length - 1]![1] <= s) spans.push([s, s + 40]);
    }
  }
  if (spans.length > 0) {
    countWork(text.length);
    let out = '';
    let from = 0;
    for (const [s, e] of spans) {
      out += text.slice(from, s) + placeholder('aws-secret-access-key');
      noteEdit(acc, text, s, e, placeholder('aws-secret-access-key'));
      acc.redactions++;
      from = e;
    }
    text = out + text.slice(from);
  }
  SECRET_PATTERNS.forEach(({ kind, re, group, starts, hint }, k) => {
    if (hint !== undefined && !hint(text)) return;
    countWork(text.length); // the hint reads up to the whole text
    text = replaceMatches(text, re, SECRET_STICKY[k]!, starts(text), acc, (m) => {
      acc.redactions++;
      if (group === 0) return placeholder(kind);
      const secret = m[group]!;
      return m[0].slice(0, m[0].length - secret.length) + placeholder(kind);
    });
  });
  text = replaceMatches(text, ASSIGNMENT, ASSIGNMENT_AT, assignmentStarts(text), acc, (m) => {
    const [match, key, sep, value] = m as unknown as [string, string, string, string];
    countWork(6 * match.length); // the value and key checks
    const quoted = value.startsWith('"') || value.startsWith("'");
    // Sentence punctuation after an unquoted value is not part of it.
    const trailing = quoted ? '' : /[.!?:]*$/.exec(value)![0];
    const bare = quoted ? value.slice(1, -1) : value.slice(0, value.length - trailing.length);
    if (bare.length < 4 || PLACEHOLDER.test(bare) || (!quoted && EXPRESSION.test(bare))) return match;
    // "The secret: patience" is prose; after a colon an unquoted value must look like a credential.
    if (!quoted && !sep.includes('=') && !SECRET_LIKE.test(bare)) return match;
    acc.redactions++;
    const kind = /pass|pwd/i.test(key) ? 'password' : /secret/i.test(key) ? 'secret' : /token/i.test(key) ? 'token' : 'api-key';
    const quote = quoted ? value[0]! : '';
    return `${key}${sep}${quote}${placeholder(kind)}${quote}${trailing}`;
  });
  if (text !== input) acc.reasons.add('secret-redacted');
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// Links and HTML.
// ---------------------------------------------------------------------------------------------------------------

/** Normalized allow-list entries; throws on a malformed entry. */
function allowList(hosts: readonly string[]): string[] {
  return hosts.map((raw) => {
    const host = raw.trim().toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
    if (!HOST_RE.test(host)) {
      throw new OutputScreeningError(`allowedLinkHosts entries must be host names like "docs.example.com", got "${raw}"`);
    }
    return host;
  });
}

/** Whether a link destination may stay: an absolute http(s) URL whose host is allowed. */
function allowedUrl(raw: string, hosts: readonly string[]): boolean {
  countWork(6 * raw.length + hosts.length); // trim, prefix checks, URL parsing, the tail checks; the allow-list
  let candidate = raw.trim();
  if (candidate.startsWith('<') && candidate.endsWith('>')) candidate = candidate.slice(1, -1);
  if (candidate.startsWith('//')) candidate = `https:${candidate}`;
  else if (/^www\./i.test(candidate)) candidate = `https://${candidate}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  // An allowed host that forwards to another URL ("/redirect?to=https://…") is an exfiltration channel too, and a
  // client that starts a link at an embedded "www." would read a second URL inside the first.
  const tail = url.pathname + url.search + url.hash;
  if (/:[/\\]{2}|%3a(?:%2f|%5c){2}|www\./i.test(tail)) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

// `[text](dest "title")` and `![alt](dest)` as CommonMark reads them: text may span lines; the destination is in <…>,
// or does not start with < and has no spaces and one level of balanced parentheses; one line break may precede the
// destination, the title and the closing parenthesis.
const INLINE = /(!?)\[([^[\]]{0,1000})\]\([ \t]{0,8}\n?[ \t]{0,8}(<[^<>\n]{0,4096}>|(?!<)(?:[^\s()]|\([^\s()]{0,256}\)){0,1024})(?:(?:[ \t]{1,8}\n?|\n)[ \t]{0,8}(?:"[^"]{0,1000}"|'[^']{0,1000}'|\([^()]{0,1000}\)))?[ \t]{0,8}\n?[ \t]{0,8}\)/g;
// `[label]: dest "title"` at a line start; the destination and the title may each start on the next line.
const DEFINITION = /^ {0,3}\[([^[\]\n]{1,999})\]:[ \t]{0,16}\n?[ \t]{0,16}(<[^<>\n]{0,4096}>|[^\s<]\S{0,4095})(?:[ \t]{0,16}\n?[ \t]{0,16}(?:"[^"\n]{0,1000}"|'[^'\n]{0,1000}'|\([^()\n]{0,1000}\)))?[ \t]*(?:\n|$)/gm;
// `[text][label]`, `[label][]`, `[label]` (and images).
const REFERENCE = /(!?)\[([^[\]]{0,1000})\](?:\[([^[\]]{0,1000})\])?/g;
const AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]{1,4096})>/g;
const AUTOLINK_START = /<[A-Za-z][A-Za-z0-9+.-]{1,31}:/;
const AUTOLINK_AT = sticky(AUTOLINK);
const HTML_OPEN = /<(?=[A-Za-z/!?])/g;
/**
 * A bare URL as the most generous linkifier reads it: a scheme with two slashes (either way round: URL parsers read
 * `\\` as `/`), a `www.` host, or a protocol-relative `//host.tld` not preceded by a scheme or a word, then everything
 * up to white space or `<` (GFM extended autolinks end only there, so `https://ok.example"@evil.example/` is one link
 * to evil.example), or an escaped `&lt;`. No `\b` before `www.`: GFM links `_www.evil.example` too.
 */
const BARE_URL = /(?:(?:https?|ftp):[/\\]{2}|www\.|(?<![A-Za-z0-9:/\\])\/\/(?=[A-Za-z0-9-]{1,63}\.[A-Za-z0-9]))(?:[^\s<&]|&(?!lt;)){1,4096}/gi;
/** Trailing sentence punctuation and closing quotes/brackets: not part of the URL for any renderer that matters. */
const URL_TRAILER = new Set('.,;:!?)]}*_~"\'`>');
/** Where a URL's authority (userinfo, host, port) ends. */
const AUTHORITY_END = /[/\\?#]/;
/** What replaces a removed bare URL. */
export const URL_PLACEHOLDER = '[link removed]';
const DANGEROUS_URI = /(?:javascript|vbscript|\bfile):(?=[^\s])[^\s<>"'`)\]]{0,4096}|\bdata:[a-z]{1,32}\/[a-z0-9.+-]{1,64}[;,][^\s<>"'`)\]]{0,65536}/gi;
const URL_ATTRIBUTE = /(\b(?:src|href|action|formaction|poster|background|srcset|data|xlink:href|ping|cite|longdesc)\s{0,8}=\s{0,8})("[^"]{0,8192}"?|'[^']{0,8192}'?|[^\s>"']{1,8192})/gi;
const DEFINITION_AT = sticky(DEFINITION);
const REFERENCE_AT = sticky(REFERENCE);
const INLINE_AT = sticky(INLINE);
const DANGEROUS_URI_AT = sticky(DANGEROUS_URI);

/** Candidates for patterns starting with `!?[`: each '[', preceded by the '!' before it. */
function bracketStarts(t: string): number[] | undefined {
  const brackets = occurrences(t, '[');
  countWork(2 * (brackets?.length ?? 0));
  return brackets?.flatMap((q) => (q > 0 && t.charCodeAt(q - 1) === 0x21 ? [q - 1, q] : [q]));
}

function isLineTerminator(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029;
}

/** Candidates for DEFINITION: the start of each line that holds at most three spaces before a '['. */
function definitionStarts(t: string): number[] | undefined {
  const brackets = occurrences(t, '[');
  if (brackets === undefined) return undefined;
  const out: number[] = [];
  countWork(4 * brackets.length);
  for (const q of brackets) {
    let p = q;
    while (p > 0 && q - p < 3 && t.charCodeAt(p - 1) === 0x20) p--;
    if (p === 0 || isLineTerminator(t.charCodeAt(p - 1))) out.push(p);
  }
  return out;
}

/** Candidates for DANGEROUS_URI: each ':' directly after a scheme it names (ASCII case-insensitive). */
function dangerousStarts(t: string): number[] | undefined {
  const colons = occurrences(t, ':');
  if (colons === undefined) return undefined;
  const out: number[] = [];
  countWork(26 * colons.length); // at most four scheme names read back from each colon
  for (const q of colons) {
    if (endsWithWord(t, q, 'javascript')) out.push(q - 10);
    else if (endsWithWord(t, q, 'vbscript')) out.push(q - 8);
    else if (endsWithWord(t, q, 'file') || endsWithWord(t, q, 'data')) out.push(q - 4);
  }
  return out;
}

/**
 * Every '<' that opens a tag, comment or declaration becomes `&lt;`, except autolinks that survived the allow-list
 * check. The edits need no {@link noteEdit}: '&lt;' is ASCII and is followed by the ASCII character that made the
 * '<' a tag opener.
 */
function escapeHtml(text: string, hosts: readonly string[]): string {
  const opens = occurrences(text, '<', 0, [], (q) => HTML_START[text.charCodeAt(q + 1)] === 1);
  if (opens === undefined) {
    // Dense '<': without any "<scheme:" there is no autolink to keep, and a plain native replace does the job.
    HTML_OPEN.lastIndex = 0;
    countWork(4 * text.length); // the replace scans the text and builds a result up to 4 times as long
    return !testCounted(AUTOLINK_START, text) ? text.replace(HTML_OPEN, '&lt;') : text.replace(HTML_OPEN, (lt: string, offset: number, whole: string) => {
      AUTOLINK_AT.lastIndex = offset;
      const auto = execCounted(AUTOLINK_AT, whole);
      return auto !== null && allowedUrl(auto[1]!, hosts) ? lt : '&lt;';
    });
  }
  if (opens.length === 0) return text;
  const pieces: string[] = [];
  let copied = 0;
  for (const q of opens) {
    AUTOLINK_AT.lastIndex = q;
    const auto = execCounted(AUTOLINK_AT, text);
    if (auto !== null && allowedUrl(auto[1]!, hosts)) continue;
    pieces.push(text.slice(copied, q), '&lt;');
    copied = q + 1;
  }
  if (copied === 0) return text;
  countWork(text.length + 3 * pieces.length); // joining the pieces
  pieces.push(text.slice(copied));
  return pieces.join('');
}
/** 1 for the characters after '<' that open a tag, comment or declaration: `A–Z a–z / ! ?`. */
const HTML_START = new Uint8Array(128);
for (const ch of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz/!?') HTML_START[ch.charCodeAt(0)] = 1;

function labelKey(label: string): string {
  countWork(4 * label.length);
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Whether the text may hold a {@link BARE_URL} (three native scans), to skip the pattern on text without any. */
function mayHoldUrl(text: string): boolean {
  countWork(3 * text.length);
  return text.includes('//') || text.includes(':\\') || /www\./i.test(text);
}

/**
 * Whether a bare URL (trailing punctuation already cut) may stay: its authority is plain ASCII host and port (no
 * userinfo, quote, percent-escape or Unicode a lenient client could read differently) and {@link allowedUrl} accepts
 * it. Fails closed: an IDN or percent-encoded spelling of an allowed host is removed too.
 */
function allowedBareUrl(url: string, hosts: readonly string[]): boolean {
  if (hosts.length === 0 || url.length === 0) return false;
  countWork(2 * url.length); // the scheme skip and the authority scan
  const scheme = /^(?:[a-z]+:)?[/\\]{2}/i.exec(url);
  const rest = scheme === null ? url : url.slice(scheme[0].length);
  const end = rest.search(AUTHORITY_END);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(authority)) return false;
  return allowedUrl(scheme !== null && scheme[0].includes('\\') ? `https://${rest}` : url, hosts);
}

/**
 * Every bare URL to a host outside the allow-list becomes {@link URL_PLACEHOLDER}, whatever it carries: a host name or
 * a path can carry data as well as a query string, and clients that unfurl links fetch it without a click. Runs on
 * normalized text, so invisible characters cannot split a URL and full-width forms are already folded; IDN and
 * percent-encoded hosts are compared after URL parsing (punycode, decoded).
 */
function removeBareUrls(text: string, hosts: readonly string[], acc: Acc): string {
  if (!mayHoldUrl(text)) return text;
  BARE_URL.lastIndex = 0;
  countWork(2 * text.length); // the scan and the result
  return text.replace(BARE_URL, (match: string, offset: number, whole: string) => {
    countWork(2 * match.length + 8); // the trailer cut and the slices
    // A backwards loop, not a `[…]+$` pattern: that one backtracks quadratically on a long run of punctuation.
    let cut = match.length;
    while (cut > 0 && URL_TRAILER.has(match[cut - 1]!)) cut--;
    const url = match.slice(0, cut);
    const rest = match.slice(url.length);
    const end = offset + match.length;
    // Cut short by the length bound: the client reads on, so what it reads cannot be judged. Removed.
    const truncated = end < whole.length && !/[\s<]/.test(whole[end]!);
    if (!truncated && allowedBareUrl(url, hosts)) return match;
    acc.removedLinks++;
    acc.reasons.add('url-removed');
    // In an inline link's destination the link pass of the next round removes the emptied link and keeps its text.
    const inDestination = whole.endsWith('](', offset) || whole.endsWith('](<', offset);
    const replacement = (inDestination ? '' : URL_PLACEHOLDER) + rest;
    noteEdit(acc, whole, offset, end, replacement);
    return replacement;
  });
}

function screenLinks(input: string, hosts: readonly string[], allowHtml: boolean, acc: Acc): string {
  let text = input;
  const removed = (reason: string): void => {
    acc.removedLinks++;
    acc.reasons.add(reason);
  };

  // Definitions first: their destinations may be written as <…>, which the autolink pass would take.
  const dropped = new Set<string>();
  countWork(4 * text.length); // the two scans for '[' and the two for '<' below (upper bound)
  text = !text.includes('[') ? text : replaceMatches(text, DEFINITION, DEFINITION_AT, definitionStarts(text), acc, (m) => {
    if (allowedUrl(m[2]!, hosts)) return m[0];
    dropped.add(labelKey(m[1]!));
    removed('link-removed');
    return '';
  });
  if (dropped.size > 0) {
    text = replaceMatches(text, REFERENCE, REFERENCE_AT, bracketStarts(text), acc, (m) => {
      const [match, bang, first, second] = m as unknown as [string, string, string, string | undefined];
      const key = labelKey(second !== undefined && second.trim() !== '' ? second : first);
      if (!dropped.has(key)) return match;
      return bang === '!' ? '' : first;
    });
  }

  text = !text.includes('<') ? text : replaceMatches(text, AUTOLINK, AUTOLINK_AT, occurrences(text, '<'), acc, (m) => {
    if (allowedUrl(m[1]!, hosts)) return m[0];
    removed('link-removed');
    return '';
  });

  text = !text.includes('[') ? text : replaceMatches(text, INLINE, INLINE_AT, bracketStarts(text), acc, (m) => {
    if (allowedUrl(m[3]!, hosts)) return m[0];
    if (m[1] === '!') {
      removed('image-removed');
      return '';
    }
    removed('link-removed');
    return m[2]!;
  });

  if (allowHtml) {
    // URL attributes in passed-through HTML: absolute or protocol-relative values must point to an allowed host.
    URL_ATTRIBUTE.lastIndex = 0;
    countWork(2 * text.length); // the scan and the result
    text = text.replace(URL_ATTRIBUTE, (match: string, name: string, value: string, offset: number, whole: string) => {
      countWork(3 * match.length); // the value split and filtered
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      // An unterminated quoted value runs to the end of the text.
      const inner = quote === '' ? value : value.slice(1, value.length > 1 && value.endsWith(quote) ? -1 : undefined);
      const urls = inner.split(/[\s,]+/).filter((u) => /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(u));
      if (urls.every((u) => allowedUrl(u, hosts))) return match;
      removed('link-removed');
      noteEdit(acc, whole, offset, offset + match.length, `${name}""`);
      return `${name}""`;
    });
  } else if (text.includes('<')) {
    const escaped = escapeHtml(text, hosts);
    if (escaped !== text) acc.reasons.add('html-escaped');
    text = escaped;
  }

  text = replaceMatches(text, DANGEROUS_URI, DANGEROUS_URI_AT, dangerousStarts(text), acc, () => {
    removed('link-removed');
    return '';
  });

  text = removeBareUrls(text, hosts, acc);
  return text;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point.
// ---------------------------------------------------------------------------------------------------------------

function blockedResult(reasons: Set<string>, acc: Acc): ScreenOutputResult {
  return { text: '', blocked: true, reasons: [...reasons].sort(), redactions: acc.redactions, removedLinks: acc.removedLinks };
}

/**
 * Screen model output: block canary leaks, redact secrets, remove links and images to hosts outside the allow-list,
 * neutralize raw HTML. See the module documentation for the exact rules.
 *
 * Never throws for any `text`; linear in its length; idempotent on its own output
 * (`screenOutput(screenOutput(x, o).text, o).text === screenOutput(x, o).text`).
 *
 * @param text - the model's response text.
 * @param opts - canary, link allow-list and HTML policy.
 * @throws OutputScreeningError if `opts` is invalid. Callers treat any exception as a blocked response.
 */
export function screenOutput(text: string, opts: ScreenOutputOptions): ScreenOutputResult {
  const canary = canaryOf(opts.canary);
  const hosts = allowList(opts.allowedLinkHosts);
  const allowHtml = opts.allowHtml === true;
  const acc: Acc = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: Math.min(canary.minRun, AWS_SECRET_LENGTH), unsettled: false };

  const normalized = normalizeText(text);
  if (totalRemoved(normalized.removed) > 0) acc.reasons.add('invisible-removed');
  // Normalization only removes invisible characters and folds compatibility forms, so it cannot hide an ASCII canary.
  if (containsCanary(normalized.text, canary, acc)) {
    acc.reasons.add('canary-leak');
    return blockedResult(acc.reasons, acc);
  }

  let current = normalized.text;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    acc.unsettled = false;
    let next = screenLinks(redactSecrets(current, acc), hosts, allowHtml, acc);
    countWork(current.length); // comparing the pass output with its input
    // Removing text can put a combining mark after a new base character; keep the result NFKC (only needed when an
    // edit left a non-ASCII character at a junction, see noteEdit).
    if (next !== current && acc.unsettled) next = normalizeText(next).text;
    if (next === current) {
      // Removing markup can join the pieces of a canary ("CANA![](x)RY").
      if (current !== normalized.text && containsCanary(current, canary, acc)) {
        acc.reasons.add('canary-leak');
        return blockedResult(acc.reasons, acc);
      }
      return { text: current, blocked: false, reasons: [...acc.reasons].sort(), redactions: acc.redactions, removedLinks: acc.removedLinks };
    }
    current = next;
  }
  acc.reasons.add('unstable');
  return blockedResult(acc.reasons, acc);
}

/**
 * Count the credentials in `text` with the same detector {@link screenOutput} redacts with (private keys, AWS keys,
 * provider tokens, credential assignments). Deterministic, no I/O, linear in the input length.
 */
export function countSecrets(text: string): number {
  const acc: Acc = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: AWS_SECRET_LENGTH, unsettled: false };
  redactSecrets(normalizeText(text).text, acc);
  return acc.redactions;
}

// ---------------------------------------------------------------------------------------------------------------
// Tool-call arguments.
// ---------------------------------------------------------------------------------------------------------------

/** Options for {@link screenToolArguments}. */
export interface ScreenToolArgumentsOptions {
  /** The per-request canary embedded in the system prompt; at least 8 letters or digits. */
  readonly canary: string;
  /** Hosts (and their subdomains) that URLs in the arguments may point to without being flagged. */
  readonly allowedHosts: readonly string[];
  /**
   * `allowedHosts` is this tool's own allow-list: a URL to any other host blocks the call (reason `url-not-allowed`)
   * instead of being flagged. Default `false`.
   */
  readonly enforceAllowedHosts?: boolean;
}

/** The result of {@link screenToolArguments}. */
export interface ScreenToolArgumentsResult {
  /** The arguments as JSON: the input itself, or with secrets replaced by `[REDACTED:<kind>]`; `''` when blocked. */
  readonly arguments: string;
  /**
   * The tool call must not be returned (canary leak, arguments that would not stabilize or lost their shape, a URL
   * outside an enforced allow-list).
   */
  readonly blocked: boolean;
  /** Short ids of what was found (`canary-leak`, `secret-redacted`, `url-flagged`, …); sorted. */
  readonly reasons: string[];
  /** Number of secrets replaced. */
  readonly redactions: number;
  /** URLs in argument strings to hosts outside `allowedHosts`: counted and reported, never removed. */
  readonly flaggedUrls: number;
}

/** Deepest nesting of argument values screened; deeper arguments are blocked. */
export const MAX_ARGUMENT_DEPTH = 64;

/** A copy of a JSON value whose strings (keys too) went through `fn`; `undefined` when it nests too deep. */
function mapJsonStrings(value: unknown, fn: (s: string) => string, depth = 0): { value: unknown } | undefined {
  if (depth > MAX_ARGUMENT_DEPTH) return undefined;
  if (typeof value === 'string') return { value: fn(value) };
  if (value === null || typeof value !== 'object') return { value };
  countWork(1);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const mapped = mapJsonStrings(item, fn, depth + 1);
      if (mapped === undefined) return undefined;
      out.push(mapped.value);
    }
    return { value: out };
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const mapped = mapJsonStrings(v, fn, depth + 1);
    if (mapped === undefined) return undefined;
    out[fn(k)] = mapped.value;
  }
  return { value: out };
}

/** The string values of a JSON value (not its keys) in document order, joined. Depth already checked. */
function joinedValues(value: unknown): string {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (v !== null && typeof v === 'object') for (const item of Object.values(v)) visit(item);
  };
  visit(value);
  const joined = out.join('');
  countWork(out.length + joined.length);
  return joined;
}

/** Same types, keys (in order) and array lengths everywhere; strings may differ. */
function sameShape(a: unknown, b: unknown): boolean {
  countWork(1);
  if (typeof a === 'string' || typeof b === 'string') return typeof a === typeof b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i])
    && ka.every((k) => sameShape((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Screen the arguments of one tool call the model made (OWASP LLM06, LLM02): the client executes the tool, so its
 * arguments are an exfiltration path like the answer text.
 *
 * - **Canary**: the per-request canary in the arguments (in a string or key, across a key and its value, or split over
 *   consecutive values; in any form {@link screenOutput} recognizes) blocks the call.
 * - **Secrets**: every string and key is normalized, and secrets are redacted in the JSON text (so a key name such as
 *   `aws_secret_access_key` is context for its value). The redacted JSON must parse to the same shape — same keys,
 *   types and array lengths — or the call is blocked (fail closed). The caller validates the schema again.
 * - **URLs**: URLs in strings to hosts outside `allowedHosts` are counted as `flaggedUrls`. With
 *   `enforceAllowedHosts` (the deployment configured hosts for this tool) such a URL blocks the call (reason
 *   `url-not-allowed`); otherwise it is flagged (reason `url-flagged`) and kept: a tool may legitimately take a URL,
 *   and without a configured list which hosts a tool may reach is the client's decision.
 *
 * When nothing was redacted the arguments are returned exactly as given. Never throws for any JSON text; linear in
 * its length.
 *
 * @param argumentsJson - the arguments as the model gave them, JSON-encoded.
 * @throws OutputScreeningError if `opts` is invalid. Callers treat any exception as a blocked call.
 */
export function screenToolArguments(argumentsJson: string, opts: ScreenToolArgumentsOptions): ScreenToolArgumentsResult {
  const canary = canaryOf(opts.canary);
  const hosts = allowList(opts.allowedHosts);
  const acc: Acc = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: Math.min(canary.minRun, AWS_SECRET_LENGTH), unsettled: false };
  const blocked = (reason: string): ScreenToolArgumentsResult => {
    acc.reasons.add(reason);
    return { arguments: '', blocked: true, reasons: [...acc.reasons].sort(), redactions: acc.redactions, flaggedUrls: 0 };
  };

  countWork(4 * argumentsJson.length); // parsing, and stringifying the normalized copy
  let parsed: unknown;
  try {
    parsed = JSON.parse(argumentsJson);
  } catch {
    return blocked('malformed-arguments');
  }
  let invisible = false;
  const normalized = mapJsonStrings(parsed, (s) => {
    const n = normalizeText(s);
    if (totalRemoved(n.removed) > 0) invisible = true;
    return n.text;
  });
  if (normalized === undefined) return blocked('too-deep');
  if (invisible) acc.reasons.add('invisible-removed');
  const json = JSON.stringify(normalized.value);
  // The JSON text catches a canary across a key and its value; the values joined catch one split over several values.
  if (containsCanary(json, canary, acc) || containsCanary(joinedValues(normalized.value), canary, acc)) return blocked('canary-leak');

  let current = json;
  let stable = false;
  for (let pass = 0; pass < MAX_PASSES && !stable; pass++) {
    const next = redactSecrets(current, acc);
    countWork(current.length);
    stable = next === current;
    current = next;
  }
  if (!stable) return blocked('unstable');

  let value = parsed;
  let out = argumentsJson;
  if (acc.redactions > 0) {
    countWork(2 * current.length);
    try {
      value = JSON.parse(current);
    } catch {
      return blocked('malformed-arguments');
    }
    if (!sameShape(normalized.value, value)) return blocked('malformed-arguments');
    // Removing a secret can join the pieces of a canary.
    if (containsCanary(current, canary, acc)) return blocked('canary-leak');
    out = current;
  }

  // Count the URLs to other hosts; removeBareUrls works on a scratch copy, the arguments keep them.
  const scratch: Acc = { ...acc, removedLinks: 0, reasons: new Set() };
  mapJsonStrings(value, (s) => {
    removeBareUrls(normalizeText(s).text, hosts, scratch);
    return s;
  });
  if (scratch.removedLinks > 0 && opts.enforceAllowedHosts === true) {
    acc.reasons.add('url-not-allowed');
    return { arguments: '', blocked: true, reasons: [...acc.reasons].sort(), redactions: acc.redactions, flaggedUrls: scratch.removedLinks };
  }
  if (scratch.removedLinks > 0) acc.reasons.add('url-flagged');
  return { arguments: out, blocked: false, reasons: [...acc.reasons].sort(), redactions: acc.redactions, flaggedUrls: scratch.removedLinks };
}
