/**
 * Links, URLs and raw HTML in model output (OWASP LLM02, LLM05): links and images to hosts outside the allow-list are
 * removed, raw HTML is neutralized, bare URLs to other hosts become {@link URL_PLACEHOLDER}. Linear in the text
 * length; every loop and native call reports its work.
 */
import { OutputScreeningError } from './errors';
import { endsWithWord, occurrences, PassState, noteEdit, replaceMatches, sticky } from './rewrite';
import { countWork, execCounted, testCounted } from './work';

const HOST_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

// ---------------------------------------------------------------------------------------------------------------
// Links and HTML.
// ---------------------------------------------------------------------------------------------------------------

/** Normalized allow-list entries; throws on a malformed entry. */
export function allowList(hosts: readonly string[]): string[] {
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
  // The authority as a renderer reads it runs to the first '/', '?' or '#', never to a backslash: CommonMark unescapes
  // `\@` in a destination to '@', autolinks and linkifiers percent-encode '\' (`%5C@`), and either way a browser takes
  // what precedes the '@' as user info ("https://docs.example.com\@evil.example/" goes to evil.example), while WHATWG
  // URL parsing of the raw text reads the '\' as '/' and sees the allowed host. Only a plain host and port may stay.
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:/.exec(candidate);
  const rest = (scheme === null ? candidate : candidate.slice(scheme[0].length)).replace(/^[/\\]+/, '');
  const authorityEnd = rest.search(/[/?#]/);
  if (!/^[A-Za-z0-9.:[\]-]*$/.test(authorityEnd < 0 ? rest : rest.slice(0, authorityEnd))) return false;
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
  // Any mix of a literal and a percent-encoded colon and slashes ("https%3A//…", "https:%2F%2F…") is such a URL too.
  if (/(?::|%3a)(?:[/\\]|%2f|%5c){2}|www\./i.test(tail)) return false;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

// `[text](dest "title")` and `![alt](dest)` as CommonMark reads them: text may span lines; the destination is in <…>,
// or does not start with < and has no spaces and one level of balanced parentheses; one line break may precede the
// destination, the title and the closing parenthesis.
const INLINE = /(!?)\[([^[\]]{0,1000})\]\([ \t]{0,8}\n?[ \t]{0,8}(<[^<>\n]{0,4096}>|(?!<)(?:[^\s()]|\([^\s()]{0,256}\)){0,1024})(?:(?:[ \t]{1,8}\n?|\n)[ \t]{0,8}(?:"[^"]{0,1000}"|'[^']{0,1000}'|\([^()]{0,1000}\)))?[ \t]{0,8}\n?[ \t]{0,8}\)/g;
// `[label]: dest "title"` at a line start; the destination and the title may each start on the next line. The label
// may hold escaped brackets and span lines (not a blank one), as CommonMark reads it.
const DEFINITION = /^ {0,3}\[((?:\\[[\]]|[^[\]\n]|\n(?![ \t]*(?:\n|$))){1,999})\]:[ \t]{0,16}\n?[ \t]{0,16}(<[^<>\n]{0,4096}>|[^\s<]\S{0,4095})(?:[ \t]{0,16}\n?[ \t]{0,16}(?:"[^"\n]{0,1000}"|'[^'\n]{0,1000}'|\([^()\n]{0,1000}\)))?[ \t]*(?:\n|$)/gm;
// `[text][label]`, `[label][]`, `[label]` (and images).
const REFERENCE = /(!?)\[([^[\]]{0,1000})\](?:\[([^[\]]{0,1000})\])?/g;
// What is left of an inline link's destination after INLINE: link text may hold balanced or escaped brackets, which
// CommonMark reads as one link (`![a [b] c](https:/evil.example/)`) and INLINE does not.
const DESTINATION = /\]\([ \t]{0,8}\n?[ \t]{0,8}(<[^<>\n]{0,4096}>|(?!<)(?:[^\s()]|\([^\s()]{0,256}\)){1,1024})/g;
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
/** What replaces a removed bare URL. */
export const URL_PLACEHOLDER = '[link removed]';
const DANGEROUS_URI = /(?:javascript|vbscript|\bfile):(?=[^\s])[^\s<>"'`)\]]{0,4096}|\bdata:[a-z]{1,32}\/[a-z0-9.+-]{1,64}[;,][^\s<>"'`)\]]{0,65536}/gi;
const URL_ATTRIBUTE = /(\b(?:src|href|action|formaction|poster|background|srcset|data|xlink:href|ping|cite|longdesc)\s{0,8}=\s{0,8})("[^"]{0,8192}"?|'[^']{0,8192}'?|[^\s>"']{1,8192})/gi;
const DEFINITION_AT = sticky(DEFINITION);
const REFERENCE_AT = sticky(REFERENCE);
const INLINE_AT = sticky(INLINE);
const DESTINATION_AT = sticky(DESTINATION);
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
 * Whether a bare URL (trailing punctuation already cut) may stay: {@link allowedUrl} accepts it, which also demands an
 * authority of plain ASCII host and port (no userinfo, quote, percent-escape or Unicode a lenient client could read
 * differently). Fails closed: an IDN or percent-encoded spelling of an allowed host is removed too. A scheme written
 * with backslashes (`https:\\host`, which URL parsers read as `//`) is checked as `https://host`.
 */
function allowedBareUrl(url: string, hosts: readonly string[]): boolean {
  if (hosts.length === 0 || url.length === 0) return false;
  countWork(url.length); // the scheme skip
  const scheme = /^(?:[a-z]+:)?[/\\]{2}/i.exec(url);
  return allowedUrl(scheme !== null && scheme[0].includes('\\') ? `https://${url.slice(scheme[0].length)}` : url, hosts);
}

/**
 * Every bare URL to a host outside the allow-list becomes {@link URL_PLACEHOLDER}, whatever it carries: a host name or
 * a path can carry data as well as a query string, and clients that unfurl links fetch it without a click. Runs on
 * normalized text, so invisible characters cannot split a URL and full-width forms are already folded; IDN and
 * percent-encoded hosts are compared after URL parsing (punycode, decoded).
 */
export function removeBareUrls(text: string, hosts: readonly string[], acc: PassState): string {
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

export function screenLinks(input: string, hosts: readonly string[], allowHtml: boolean, acc: PassState): string {
  let text = input;
  const removed = (reason: string): void => {
    acc.removedLinks++;
    acc.reasons.add(reason);
  };

  // Definitions first: their destinations may be written as <…>, which the autolink pass would take.
  // Created with the first dropped definition: most texts have none.
  let dropped: Set<string> | undefined;
  countWork(4 * text.length); // the two scans for '[' and the two for '<' below (upper bound)
  text = !text.includes('[') ? text : replaceMatches(text, DEFINITION, DEFINITION_AT, definitionStarts(text), acc, (m) => {
    if (allowedUrl(m[2]!, hosts)) return m[0];
    (dropped ??= new Set()).add(labelKey(m[1]!));
    removed('link-removed');
    return '';
  });
  if (dropped !== undefined) {
    const labels = dropped;
    text = replaceMatches(text, REFERENCE, REFERENCE_AT, bracketStarts(text), acc, (m) => {
      const [match, bang, first, second] = m as unknown as [string, string, string, string | undefined];
      const key = labelKey(second !== undefined && second.trim() !== '' ? second : first);
      if (!labels.has(key)) return match;
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

  // Any destination still right after a `](` goes unless it is allowed: the link keeps its brackets and text, an image
  // an empty source (nothing to fetch).
  text = !text.includes('](') ? text : replaceMatches(text, DESTINATION, DESTINATION_AT, occurrences(text, ']('), acc, (m) => {
    if (allowedUrl(m[1]!, hosts)) return m[0];
    removed('link-removed');
    return '](';
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
