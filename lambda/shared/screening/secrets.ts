/**
 * The credential detector: finds secrets and replaces them by `[REDACTED:<kind>]`. The output screen redacts with it
 * and document screening counts with it ({@link countSecrets}). Linear in the text length; every loop reports its work.
 */
import { indexOfLiteral, normalizeText } from './normalize';
import { ascending, Candidates, endsWithWord, PassState, noteEdit, replaceMatches, replaceMatchTails, runsOf, sticky } from './rewrite';
import { SECRET_RULES, SecretRule, SecretTrigger } from './secret-rules';
import { countWork, execCounted, testCounted } from './work';

// ---------------------------------------------------------------------------------------------------------------
// Secrets.
// ---------------------------------------------------------------------------------------------------------------

const RULE_STICKY = SECRET_RULES.map((r) => sticky(r.pattern));
const RULE_PLACEHOLDER = SECRET_RULES.map((r) => placeholder(r.kind));

/**
 * Trigger positions are visited one by one only while they are sparse: fewer than one per {@link SPARSE} characters
 * read so far (after {@link MIN_DENSE} of them). A visit (a native scan to the next occurrence, a comparison, a sticky
 * attempt) costs a few hundred nanoseconds, while a global scan of a pattern that opens with a lookbehind and a
 * literal reads about a character a nanosecond; so denser triggers fall back to the global scan, which finds exactly
 * the same matches (the candidates are only a superset of where matches start).
 */
const SPARSE = 256;
const MIN_DENSE = 64;

/** A rule's triggers that share their anchor character: one native scan finds the candidates of all of them. */
interface AnchorGroup {
  readonly ch: string;
  readonly triggers: readonly SecretTrigger[];
  /** The smallest anchor of the group: no occurrence before it can start a literal. */
  readonly from: number;
  /** What comparing one occurrence with every literal of the group costs. */
  readonly compare: number;
}

function anchorGroups(rule: SecretRule): AnchorGroup[] {
  const byChar = new Map<string, SecretTrigger[]>();
  for (const t of rule.triggers) {
    const ch = t.literal[t.anchor]!;
    byChar.set(ch, [...(byChar.get(ch) ?? []), t]);
  }
  return [...byChar].map(([ch, triggers]) => ({
    ch,
    triggers,
    from: Math.min(...triggers.map((t) => t.anchor)),
    compare: triggers.reduce((n, t) => n + t.literal.length + 1, 0),
  }));
}
const RULE_ANCHORS = SECRET_RULES.map(anchorGroups);

/**
 * Starts (`p - back`, `p - back >= 0`) of the occurrences `p` of the group's literals in `text`, appended to `out`;
 * `false` as soon as the anchor character is dense (see {@link SPARSE}). One native scan looks for the anchor
 * character (see `occurrences` in rewrite.ts) and each occurrence is compared with every literal anchored on it.
 */
function triggerStarts(text: string, group: AnchorGroup, out: number[]): boolean {
  let found = 0;
  let candidates = 0;
  // Each scan resumes after the previous hit, so together they read up to where the loop stops; each candidate
  // costs a comparison with each literal.
  for (let i = text.indexOf(group.ch, group.from); i >= 0; i = text.indexOf(group.ch, i + 1)) {
    candidates++;
    if (candidates > MIN_DENSE && candidates * SPARSE > i) {
      countWork(i + 1 + candidates * group.compare);
      return false;
    }
    for (const { literal, anchor, back } of group.triggers) {
      const start = i - anchor;
      if (start < 0 || (literal.length > 1 && !text.startsWith(literal, start))) continue;
      found++;
      if (start >= back) out.push(start - back);
    }
  }
  countWork(text.length + candidates * group.compare + found);
  return true;
}

/** Candidate starts of rule `k` in `text` (see {@link SecretTrigger}); `undefined` when they are dense. */
function ruleStarts(text: string, k: number): number[] | undefined {
  const out: number[] = [];
  for (const group of RULE_ANCHORS[k]!) {
    if (!triggerStarts(text, group, out)) return undefined;
  }
  return SECRET_RULES[k]!.triggers.length === 1 ? out : ascending(out);
}

/**
 * Values that only stand for a secret: documented examples (`AKIAIOSFODNN7EXAMPLE`), stand-ins
 * (`xoxb-not-a-real-token`), masked or truncated keys (`sk-...xxxx`, `ghp_****`), template slots (`<your-token>`, `${VAR}`, `{{ secrets.X }}`), and runs of one or two
 * characters. Real credentials are random: they have many distinct characters and none of these words.
 */
const FAKE = /example|sample|dummy|placeholder|changeme|insert|your[_-]|[_-]here\b|not[_-]a[_-]real|\*{3}|\.{3}|\u2026|[<>]|\$\{|\{\{|redacted/i;
/**
 * A mask of x's, written in one case (`sk-xxxx…`, `XXXX-XXXX`): a random key's characters come in both cases, and
 * "xxXX" in a generated JWT signature is no mask.
 */
const MASK = /x{4}|X{4}/;
/** The word itself standing for the value (`postgres://user:password@localhost`). */
const FAKE_WORD = /^(?:password|passwd|pass|pwd|pw|secret|token|apikey|api_key)$/i;
/** Fewest distinct characters a credential of 16 or more characters has. */
const MIN_DISTINCT = 6;

function looksFake(value: string): boolean {
  countWork(2 * value.length);
  if (FAKE.test(value) || MASK.test(value) || FAKE_WORD.test(value)) return true;
  if (value.length < 16) return false;
  const seen = new Set<string>();
  for (let i = 0; i < value.length && seen.size < MIN_DISTINCT; i++) seen.add(value[i]!);
  return seen.size < MIN_DISTINCT;
}

/** Documentation examples that look random: the jwt.io sample token's signature and payload (`"sub":"1234567890"`). */
const KNOWN_EXAMPLES = ['SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c', 'eyJzdWIiOiIxMjM0NTY3ODkwI'];
/**
 * Stand-in words public secret scanners skip (gitleaks and detect-secrets stop-words) beyond {@link FAKE}'s, written
 * in one case and starting a word (`sk_test_fake…`, `FAKE_KEY`): a random key spells "fAkE" or "chmock" now and then.
 */
const STAND_IN_WORDS = 'fake|mock|dummy|notreal|not[_-]a[_-]real|foobar|change[_-]me|test[_-]?(?:key|token|secret)|your(?:key|token|secret|api)';
const STAND_IN = [STAND_IN_WORDS, STAND_IN_WORDS.toUpperCase()].map((w) => new RegExp(`(?<![A-Za-z])(?:${w})`));
/**
 * Capitalized words run together ending with a type's word (`SecretStr`, `PasswordField`, `ApiKeyInput`): a type
 * annotation (`api_key: SecretStr`), not a generated secret or a chosen password.
 */
const TYPE_NAME = /^(?:[A-Z][a-z]{1,15}){1,3}(?:Str|String|Bytes|Field|Type|Input|Value|Url|Config|Settings|Provider)$/;
/**
 * A file-system path (`/home/deploy`, `/run/secrets/db_password`, `~/.ssh/id_ed25519`): lower-case segments of
 * letters, digits, dots, dashes and underscores. It tells where a secret is kept or where a shell works (`PWD=`,
 * `password_file=`, `ssl_key=`), not the secret itself; a generated key mixes cases and a `/` in it is one of 64 symbols.
 */
const FILE_PATH = /^(?:~|\.{1,2})?(?:\/[a-z0-9._-]{1,64}){2,32}\/?$/;
/**
 * A base64 value (`Q0hBTkdFX01FX0lOX1ZBVUxU`): what it stands for is what it decodes to, so a Kubernetes Secret's
 * `data:` value that decodes to a placeholder (`CHANGE_ME_IN_VAULT`) is one. A generated key decodes to bytes that are
 * not printable text, and is judged as written.
 */
const BASE64 = /^(?:[A-Za-z0-9+/]{4}){2,256}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The printable ASCII text a {@link BASE64} value decodes to, or `undefined` (not base64, or bytes that are not text). */
function base64Text(value: string): string | undefined {
  countWork(2 * value.length);
  if (!BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64').toString('latin1');
  return /^[\x20-\x7e]+$/.test(decoded) ? decoded : undefined;
}

/** Longest word of a {@link wordBuilt} value: a longer run of letters in one case is a generated token's. */
const MAX_WORD = 12;
/**
 * A value built of words (`insecure-dev-key-123`, `minio-local-only`, `ci-legacy`, `новый_пароль`, `dev`): segments
 * between `-`, `_`, `.` or blanks that are each a word of at most {@link MAX_WORD} letters in one case (any script), or a
 * number of at most four digits. A person wrote it: a name for a local or test set-up, a label, or a placeholder in any
 * language. A generated credential is random: its letters mix cases or run into digits within one segment, or run
 * longer than a word (a token of lower-case letters only).
 */
const WORD_SEGMENT = new RegExp(`^(?:\\p{Ll}{1,${MAX_WORD}}|\\p{Lu}{1,${MAX_WORD}}|[0-9]{1,4})$`, 'u');

/** Whether `value` is built of words ({@link WORD_SEGMENT}), with at least one word and at most four digits in all. */
function wordBuilt(value: string): boolean {
  countWork(2 * value.length);
  const segments = value.split(/[-_.\s]+/).filter((piece) => piece !== '');
  let digits = 0;
  let words = 0;
  for (const piece of segments) {
    if (!WORD_SEGMENT.test(piece)) return false;
    if (/^[0-9]/.test(piece)) digits += piece.length;
    else words++;
  }
  return words > 0 && digits <= 4;
}

/** Share of a value's letters and digits in runs that make a documentation placeholder ({@link documentationPlaceholder}). */
const RUN_SHARE = 0.6;
/** Shortest run of evenly stepped characters (`abc`, `123`, `aaa`, `987`) counted by {@link documentationPlaceholder}. */
const MIN_RUN = 3;
/** Fewest distinct characters a value of 16 or more characters has when it is not a stand-in ({@link documentationPlaceholder}). */
const PLACEHOLDER_DISTINCT = 8;

/**
 * A credential-shaped value written to stand for a credential in documentation or tests (the document screen's
 * exemption; the output screen still redacts it, see {@link countLeakedSecrets}): a known documentation example, a
 * stand-in word, at least {@link RUN_SHARE} of its letters and digits in alphabetic, numeric or repeated runs
 * (`sk-abcdefghijklmnop1234`, `ghp_123456…`, `abc123def456`), or fewer than {@link PLACEHOLDER_DISTINCT} distinct
 * characters in 16 or more; or, read across an inline-code mark, nothing credential-like between the marks; a
 * file-system path ({@link FILE_PATH}: where a secret is kept, not the secret); a base64 value that decodes to text
 * which is itself a placeholder ({@link BASE64}). A generated key has none of these: at 62 symbols, two steps of one
 * in a row happen about once in 3,800 positions.
 */
export function documentationPlaceholder(value: string): boolean {
  countWork(3 * value.length);
  if (looksFake(value) || STAND_IN.some((r) => r.test(value)) || KNOWN_EXAMPLES.some((e) => value.includes(e))) return true;
  // A Markdown code mark is markup, never a character of a value: an unquoted value read across the edge of an inline
  // code span is prose next to code ("check the log for `finishSecret: success`.", "pick up the new credentials:
  // `kubectl rollout …`"). What a document writes is judged between the marks, so a credential inside inline code
  // (`` `API_KEY=9fQ2…` ``) still counts.
  if (value.includes('`')) return value.split('`').every((piece) => !SECRET_LIKE.test(piece) || documentationPlaceholder(piece));
  // A type or class name (`api_key: SecretStr`, `password: PasswordField`): capitalized words, no digit or symbol.
  if (TYPE_NAME.test(value) || FILE_PATH.test(value) || wordBuilt(value)) return true;
  const decoded = base64Text(value);
  if (decoded !== undefined && documentationPlaceholder(decoded)) return true;
  let inRuns = 0;
  let chars = 0;
  let run = 0;
  let step = Number.NaN;
  let prev = -1;
  const seen = new Set<number>();
  const close = (): void => {
    if (run >= MIN_RUN) inRuns += run;
  };
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);
    if (!alnum) {
      close();
      run = 0;
      prev = -1;
      continue;
    }
    chars++;
    seen.add(c);
    const d = c - prev;
    if (prev >= 0 && run >= 2 && d === step && Math.abs(d) <= 1) run++;
    else if (prev >= 0 && Math.abs(d) <= 1 && sameClass(c, prev)) {
      close();
      run = 2;
      step = d;
    } else {
      close();
      run = 1;
    }
    prev = c;
  }
  close();
  if (chars > 0 && inRuns >= RUN_SHARE * chars) return true;
  return value.length >= 16 && seen.size < PLACEHOLDER_DISTINCT;
}

/** Both digits or both (lower-cased) letters. */
function sameClass(a: number, b: number): boolean {
  return a <= 0x39 === b <= 0x39;
}

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

/**
 * `key = value`, `key: value`, `"key": "value"`, and the assignment operators of Go, Pascal and Makefiles (`key := value`,
 * `KEY ?= value`, `KEY += value`, `KEY ::= value`) where the key names a credential: a credential word, optionally after
 * an identifier prefix (`DB_PASSWORD`, `dbPassword`, `spring.datasource.password`, `TWILIO_AUTH_TOKEN`). The prefix is
 * one character class followed by the word, so an attempt costs at most {@link MAX_KEY} times the words, never more.
 */
export const ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z0-9_.-]{0,48}?(?:password|passwd|passphrase|passcode|pwd|pass|client[_-]?secret|secret[_-]?key|secret|api[_-]?key|apikey|app[_-]?key|access[_-]?key|account[_-]?key|access[_-]?token|auth[_-]?token|token|private[_-]?key|credentials?))(["']?[ \t]{0,4}(?:(?:[?+]|:{1,3})?=|:)(?!=)[ \t]{0,4})("[^"\n]{1,256}"|'[^'\n]{1,256}'|[^\s"',;)}\]]{1,256})/gi;
const ASSIGNMENT_AT = sticky(ASSIGNMENT);
/** The longest key ASSIGNMENT accepts: a 48-character prefix and "client_secret". */
const MAX_KEY = 61;

/**
 * The words ASSIGNMENT's key can end with, lower case: each alternative of its credential word ends with one of them
 * (`client_secret` with "secret", `api-key` with "key", `auth_token` with "token", `credentials?` with "credential" or
 * "credentials").
 */
const KEY_ENDINGS = ['password', 'passwd', 'passphrase', 'passcode', 'pwd', 'pass', 'secret', 'key', 'token', 'credential', 'credentials'];
/** The words of {@link KEY_ENDINGS} by the code of their last letter. */
const KEY_ENDINGS_BY_LAST: Array<string[] | undefined> = [];
for (const w of KEY_ENDINGS) (KEY_ENDINGS_BY_LAST[w.charCodeAt(w.length - 1)] ??= []).push(w);
/** Separators are found by native scans until there are more than one per this many characters read. */
const SEPARATOR_SPARSE = 64;
/** What one separator costs at most: an operator, the blanks, quote and key read back, the key's ending and the value's start. */
const SEPARATOR_WORK = 3 + 6 + MAX_KEY + 11 + 6;

/**
 * Candidate starts of ASSIGNMENT, found on demand: its key ends, after an optional quote and up to 4 blanks, at a
 * ':' or at an '=' (after up to three ':' or one '?' or '+' of an operator), so each separator gives at most one
 * start, the identifier before it (the key's lookbehind), and only when what the pattern needs around the separator
 * is there: the identifier is at most {@link MAX_KEY} characters and ends with a credential word ({@link KEY_ENDINGS},
 * ASCII case ignored as the pattern's `i` flag does), no '=' follows the separator (`==`; the ':' of `:=` gives no
 * start, its '=' does), and a value can start after it (within 4 blanks, a character that is not a line end, a
 * space or one of `,;)}]`). Every separator costs bounded work, so no fallback to a global scan is needed however
 * dense they are, and separators inside a match already taken (a 256-character value) are skipped unread.
 */
class AssignmentStarts implements Candidates {
  private colon: number;
  private eq: number;
  /** Separators are dense: read every code unit instead of two native scans. */
  private dense = false;
  /** The last separator read. */
  private q = -1;
  private separators = 0;
  /** Code units read by the dense loop (or jumped over). */
  private read = 0;
  constructor(private readonly t: string) {
    this.colon = t.indexOf(':');
    this.eq = t.indexOf('=');
  }

  next(from: number): number {
    const t = this.t;
    const n = t.length;
    for (;;) {
      // The next separator at or after `from` (a separator before it gives a start before it).
      let q: number;
      if (!this.dense) {
        if (this.colon >= 0 && this.colon < from) this.colon = t.indexOf(':', from);
        if (this.eq >= 0 && this.eq < from) this.eq = t.indexOf('=', from);
        if (this.colon < 0 && this.eq < 0) return this.done();
        if (this.eq < 0 || (this.colon >= 0 && this.colon < this.eq)) {
          q = this.colon;
          this.colon = t.indexOf(':', q + 1);
        } else {
          q = this.eq;
          this.eq = t.indexOf('=', q + 1);
        }
        if (this.separators > MIN_DENSE && this.separators * SEPARATOR_SPARSE > q) this.dense = true;
      } else {
        let i = Math.max(this.q + 1, from);
        while (i < n && t.charCodeAt(i) !== 0x3a && t.charCodeAt(i) !== 0x3d) i++;
        this.read += i - this.q;
        if (i >= n) return this.done();
        q = i;
      }
      this.q = q;
      this.separators++;
      const s = assignmentKeyStart(t, q);
      if (s >= from) return s;
    }
  }

  private done(): number {
    // The two native scans read the text twice at most; the dense loop reads what they did not.
    countWork(2 * this.t.length + this.read + this.separators * SEPARATOR_WORK);
    this.separators = 0;
    this.read = 0;
    return -1;
  }
}

/** Every start {@link AssignmentStarts} gives for `text` when asked for all of them (for tests). */
export function assignmentCandidates(text: string): number[] {
  const source = new AssignmentStarts(text);
  const out: number[] = [];
  for (let p = source.next(0); p >= 0; p = source.next(p + 1)) out.push(p);
  return out;
}

/** The start of the key that ends before the separator at `q`, if ASSIGNMENT can match there; -1 otherwise. */
function assignmentKeyStart(t: string, q: number): number {
  let end = q;
  // An '=' may close an operator: `:=`, `::=`, `:::=`, `?=`, `+=`.
  if (t.charCodeAt(q) === 0x3d) {
    let colons = 0;
    while (colons < 3 && end > 0 && t.charCodeAt(end - 1) === 0x3a) {
      end--;
      colons++;
    }
    if (colons === 0 && end > 0 && (t.charCodeAt(end - 1) === 0x3f || t.charCodeAt(end - 1) === 0x2b)) end--;
  }
  for (let k = 0; k < 4 && end > 0 && (t.charCodeAt(end - 1) === 0x20 || t.charCodeAt(end - 1) === 0x09); k++) end--;
  if (end > 0 && (t.charCodeAt(end - 1) === 0x22 || t.charCodeAt(end - 1) === 0x27)) end--;
  // Cheapest test first: the key's last letter.
  const last = end > 0 ? t.charCodeAt(end - 1) | 0x20 : 0;
  const words = last < 128 ? KEY_ENDINGS_BY_LAST[last] : undefined;
  if (words === undefined) return -1;
  let word = false;
  for (let k = 0; k < words.length && !word; k++) word = endsWithWord(t, end, words[k]!);
  if (!word || !isAssignmentAt(t, q)) return -1;
  let s = end;
  while (s > 0 && end - s < MAX_KEY && isKeyChar(t.charCodeAt(s - 1))) s--;
  // The key is the whole identifier before the separator (ASSIGNMENT's lookbehind): one candidate at most.
  return s > 0 && isKeyChar(t.charCodeAt(s - 1)) ? -1 : s;
}

/** Whether a value can follow the separator at `q`: no '=' right after it, and within 4 blanks a character that can open one. */
function isAssignmentAt(t: string, q: number): boolean {
  let v = q + 1;
  if (t.charCodeAt(v) === 0x3d) return false; // (?!=) after ':' or '='
  for (let k = 0; k < 4 && (t.charCodeAt(v) === 0x20 || t.charCodeAt(v) === 0x09); k++) v++;
  if (v >= t.length) return false;
  const c = t.charCodeAt(v);
  // The unquoted value excludes \s and ,;)}] (and quotes, which open the quoted values).
  return !(c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x2c || c === 0x3b || c === 0x29 || c === 0x7d || c === 0x5d);
}

function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d || c === 0x2e;
}

const PLACEHOLDER = /^(?:\*+|x+|\.{3}|<[^>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\[redacted:[a-z-]+\]|(?:process\.env|os\.environ|env)\b.*|your[_-].*|none|null|nil|undefined|true|false|string|str|number|int|bytes|any|optional\b.*)$/i;
const EXPRESSION = /[()[\]]|^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$|^[$%]/;
/** Six or more characters with a digit, a symbol, or mixed case. */
const SECRET_LIKE = /^(?=.{6})(?:.*[0-9]|.*[^A-Za-z0-9]|.*[a-z].*[A-Z]|.*[A-Z].*[a-z])/;

/** Keys whose credential word is only "token" or "pass". */
const GENERIC_KEY = /(?:token|pass)$/i;
/** A separator that is an operator of more than one character: `:=`, `+=`, `?=`, `::=`. */
const OPERATOR = /[?+:]=/;

/**
 * A password in prose: "the password is Xy7!…", "with the password Xy7!… until Friday". The value must mix letters
 * with digits or symbols ({@link PROSE_SECRET}): "the password is required" and "password policy" are prose.
 */
const PASSWORD_PROSE = /(?<![A-Za-z0-9_])(?:password|passphrase|passcode)(?:[ \t]{1,4}(?:is|was|will be|=|:))?[ \t]{1,4}["'`]?([^\s"'`<>]{6,128})/gi;
const PASSWORD_PROSE_AT = sticky(PASSWORD_PROSE);
const PASSWORD_PROSE_HINT = /pass(?:word|phrase|code)[ \t]/i;
const PROSE_SECRET = /^(?=.{6})(?=.*[A-Za-z])(?=.*[0-9!#$%&*+=?@^~])/;

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

/**
 * Secrets in `input` replaced by placeholders; a later pass sees anything a removal joins. `stand` tells a value that
 * only stands for a secret (default: the output screen's narrow test, masked keys and template slots).
 */
export function redactSecrets(input: string, acc: PassState, stand: (value: string) => boolean = looksFake): string {
  let text = redactPrivateKeys(input, acc);
  // AWS secret keys are only recognizable by context; find them before the access key ids are replaced.
  const spans: Array<[number, number]> = [];
  AWS_SECRET_CONTEXT.lastIndex = hasLongRun(text, acc) ? 0 : text.length;
  for (let m = execCounted(AWS_SECRET_CONTEXT, text); m !== null; m = execCounted(AWS_SECRET_CONTEXT, text)) {
    const start = m.index + m[0].length;
    const window = text.slice(start, start + AWS_SECRET_WINDOW);
    const v = execCounted(AWS_SECRET_VALUE, window);
    if (v !== null && /[0-9/+]/.test(v[0]) && /[a-z]/.test(v[0]) && /[A-Z]/.test(v[0]) && !stand(v[0])) {
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
  for (let k = 0; k < SECRET_RULES.length; k++) {
    const rule = SECRET_RULES[k]!;
    if (rule.hint !== undefined) {
      countWork(text.length); // the hint reads up to the whole text
      if (!rule.hint.test(text)) continue;
    }
    const starts = rule.triggers.length === 0 ? undefined : ruleStarts(text, k);
    // No candidate start, no match: nothing to replace (what replaceMatchTails would find, without its set-up).
    if (starts !== undefined && starts.length === 0) continue;
    // The secret is the match's tail (every rule's group ends where its match does): only it is replaced.
    text = replaceMatchTails(text, rule.pattern, RULE_STICKY[k]!, starts, acc, RULE_PLACEHOLDER[k]!, (m) => {
      const secret = m[rule.group]!;
      if (stand(secret)) return 0;
      acc.redactions++;
      return secret.length;
    });
  }
  text = replaceMatches(text, ASSIGNMENT, ASSIGNMENT_AT, new AssignmentStarts(text), acc, (m) => {
    const [match, key, sep, value] = m as unknown as [string, string, string, string];
    countWork(6 * match.length); // the value and key checks
    const quoted = value.startsWith('"') || value.startsWith("'");
    // Sentence punctuation after an unquoted value is not part of it.
    const trailing = quoted ? '' : /[.!?:]*$/.exec(value)![0];
    const bare = quoted ? value.slice(1, -1) : value.slice(0, value.length - trailing.length);
    // A value cut short by an ellipsis (`TOKEN=ops_eyJzaWdu...`) is a shortened display of a credential, not one.
    if (trailing.includes('...')) return match;
    if (bare.length < 4 || PLACEHOLDER.test(bare) || (!quoted && EXPRESSION.test(bare)) || stand(bare)) return match;
    // After an operator (`url.password += encodedCodePoints`, `token := newToken`) a bare name of letters is a variable.
    if (!quoted && OPERATOR.test(sep) && /^[A-Za-z_$]+$/.test(bare)) return match;
    // "The secret: patience" is prose; after a colon an unquoted value must look like a credential.
    if (!quoted && !sep.includes('=') && !SECRET_LIKE.test(bare)) return match;
    // A bare "token" or "pass" also names counts and flags (`max_token=4096`, `bypass=on`): the value must look random.
    if (GENERIC_KEY.test(key) && (bare.length < 8 || !SECRET_LIKE.test(bare) || /^[0-9]+$/.test(bare))) return match;
    acc.redactions++;
    const kind = /pass|pwd/i.test(key) ? 'password' : /secret/i.test(key) ? 'secret' : /token/i.test(key) ? 'token' : 'api-key';
    const quote = quoted ? value[0]! : '';
    return `${key}${sep}${quote}${placeholder(kind)}${quote}${trailing}`;
  });
  if (PASSWORD_PROSE_HINT.test(text)) {
    countWork(text.length); // the hint
    text = replaceMatches(text, PASSWORD_PROSE, PASSWORD_PROSE_AT, undefined, acc, (m) => {
      const [match, value] = m as unknown as [string, string];
      countWork(4 * match.length);
      const bare = value.replace(/[.,;:!?)]+$/, '');
      if (!PROSE_SECRET.test(bare) || PLACEHOLDER.test(bare) || EXPRESSION.test(bare) || stand(bare)) return match;
      acc.redactions++;
      return match.slice(0, match.length - value.length) + placeholder('password') + value.slice(bare.length);
    });
  }
  if (text !== input) acc.reasons.add('secret-redacted');
  return text;
}

/**
 * Count the credentials in `text` with the same detector the output screen redacts with (private keys, AWS keys,
 * provider tokens, credential assignments). Deterministic, no I/O, linear in the input length.
 */
export function countSecrets(text: string): number {
  return count(text, looksFake);
}

/**
 * Count the credentials in an untrusted document that are not {@link documentationPlaceholder}s: the document
 * screen's hard signal. A README's `sk-abcdefghijklmnop1234` is no leak; the output screen still redacts it
 * ({@link countSecrets}, {@link redactSecrets}), because a placeholder the gateway would release costs nothing to hide.
 */
export function countLeakedSecrets(text: string): number {
  return count(text, documentationPlaceholder);
}

function count(text: string, stand: (value: string) => boolean): number {
  const acc: PassState = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: AWS_SECRET_LENGTH, unsettled: false };
  redactSecrets(normalizeText(text).text, acc, stand);
  return acc.redactions;
}
