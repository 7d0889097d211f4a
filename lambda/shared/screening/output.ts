/**
 * Screening of model output before it leaves the gateway (OWASP LLM02, LLM05, LLM07).
 *
 * Pure and I/O-free. In order, on NFKC-normalized text without invisible characters:
 * 1. **Secrets** are replaced by `[REDACTED:<kind>]` (the detector of `secrets.ts`, formats in `secret-rules.ts`):
 *    private key blocks, JWTs, AWS access key ids and secret keys near an AWS keyword or key id, provider tokens
 *    (GitHub, GitLab, Slack, OpenAI, Anthropic, Stripe, Google, npm, PyPI, SendGrid, Twilio, Mailgun, Hugging Face,
 *    Azure storage keys), passwords in URLs, bearer tokens, credential assignments (`DB_PASSWORD=`, `"apiKey": …`) and
 *    passwords in prose. Placeholders (`<your-key>`, `${VAR}`, `sk-...xxxx`) and documented examples
 *    (`AKIAIOSFODNN7EXAMPLE`) are left alone.
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
 * The passes live beside this module, one concern each: `canary.ts`, `secrets.ts` (the credential detector, shared with
 * document screening), `links.ts` (links, URLs, HTML), over the candidate-driven matching of `rewrite.ts`.
 *
 * Every regular expression here has bounded quantifiers and starts only at a delimiter character, so the work is
 * linear in the input length. Every loop and native call reports its work to {@link countWork}, so tests prove that
 * by counting instead of timing.
 *
 * Failure semantics: `screenOutput` never throws for any text. It throws {@link OutputScreeningError} only for invalid
 * options (a canary shorter than 8 letters or digits, a malformed allowed host). The caller must treat any exception
 * from this module as "blocked": no unscreened model output may leave the gateway.
 */
import { Canary, canaryOf, containsCanary } from './canary';
import { OutputScreeningError } from './errors';
import { allowList, removeBareUrls, screenLinks } from './links';
import { normalizeText, totalRemoved } from './normalize';
import { PassState } from './rewrite';
import { AWS_SECRET_LENGTH, countSecrets, redactSecrets } from './secrets';
import { countWork } from './work';

export { countSecrets, OutputScreeningError };
export { URL_PLACEHOLDER } from './links';

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


/** Maximum number of screening passes before an unstable text is blocked. */
export const MAX_PASSES = 4;

/**
 * The last canary prepared for matching. Preparing one costs tens of microseconds, more than screening a short text,
 * and a streamed answer screens the same canary once per window: it is prepared once. Pure, so a one-entry memo is
 * exact.
 */
let lastCanary: { readonly text: string; readonly canary: Canary } | undefined;

function preparedCanary(text: string): Canary {
  if (lastCanary?.text !== text) lastCanary = { text, canary: canaryOf(text) };
  return lastCanary.canary;
}

/**
 * The last link allow-list normalized ({@link allowList}), with a copy of the entries it was made from. The gateway
 * passes its deployment's list, the same on every request, and normalizing it (a trim, two replaces and a pattern per
 * host) cost about as much as screening a short answer. Pure: the entries are compared one by one, so another list, or
 * this one changed in place, is normalized again (and a malformed one throws again: nothing is kept from a throw).
 */
let lastHosts: { readonly entries: readonly string[]; readonly hosts: readonly string[] } | undefined;

function preparedHosts(entries: readonly string[]): readonly string[] {
  const last = lastHosts;
  if (last !== undefined && sameEntries(last.entries, entries)) return last.hosts;
  const hosts = allowList(entries);
  lastHosts = { entries: [...entries], hosts };
  return hosts;
}

function sameEntries(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point.
// ---------------------------------------------------------------------------------------------------------------

function blockedResult(reasons: Set<string>, acc: PassState): ScreenOutputResult {
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
  const canary = preparedCanary(opts.canary);
  const hosts = preparedHosts(opts.allowedLinkHosts);
  const allowHtml = opts.allowHtml === true;
  const acc: PassState = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: Math.min(canary.minRun, AWS_SECRET_LENGTH), unsettled: false };

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
      return { text: current, blocked: false, reasons: acc.reasons.size === 0 ? [] : [...acc.reasons].sort(), redactions: acc.redactions, removedLinks: acc.removedLinks };
    }
    current = next;
  }
  acc.reasons.add('unstable');
  return blockedResult(acc.reasons, acc);
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
  const canary = preparedCanary(opts.canary);
  const hosts = preparedHosts(opts.allowedHosts);
  const acc: PassState = { redactions: 0, removedLinks: 0, reasons: new Set(), minRun: Math.min(canary.minRun, AWS_SECRET_LENGTH), unsettled: false };
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
  const scratch: PassState = { ...acc, removedLinks: 0, reasons: new Set() };
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

