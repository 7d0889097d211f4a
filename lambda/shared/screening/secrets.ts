/**
 * The credential detector: finds secrets and replaces them by `[REDACTED:<kind>]`. The output screen redacts with it
 * and document screening counts with it ({@link countSecrets}). Linear in the text length; every loop reports its work.
 */
import { indexOfLiteral, normalizeText } from './normalize';
import { ascending, denseLimit, occurrences, PassState, noteEdit, replaceMatches, runsOf, sticky } from './rewrite';
import { countWork, execCounted, testCounted } from './work';

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
function hasLongRun(text: string, acc: PassState): boolean {
  const runs = runsOf(text, acc);
  countWork(runs.length);
  return runs.some(([start, end]) => end - start >= AWS_SECRET_LENGTH);
}
export const AWS_SECRET_LENGTH = 40;

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

function redactPrivateKeys(text: string, acc: PassState): string {
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
export function redactSecrets(input: string, acc: PassState): string {
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

/**
 * Count the credentials in `text` with the same detector the output screen redacts with (private keys, AWS keys,
 * provider tokens, credential assignments). Deterministic, no I/O, linear in the input length.
 */
export function countSecrets(text: string): number {
  const acc: PassState = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: AWS_SECRET_LENGTH, unsettled: false };
  redactSecrets(normalizeText(text).text, acc);
  return acc.redactions;
}
