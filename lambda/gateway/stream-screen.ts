/**
 * Output screening for streamed answers: text leaves only after {@link screenOutput} has seen it together with the
 * text that follows it, so a canary, secret or link split across chunks is caught before any of it is released.
 *
 * The rules are exactly those of {@link screenOutput}; nothing is re-implemented. The screen is **resumable**: instead
 * of screening all the text so far again and again, it screens a window, the raw text from a cut point `base` to the
 * end. Of a window's screening it releases only what lies before the last white space at least `holdBackChars`
 * characters before its end: the held-back tail may still be the beginning of a construct (a URL, a markdown link, a
 * key, the canary) that only the next chunks complete. Once the window has released more than `contextChars`
 * characters, `base` moves forward to a white space before a line or a word, at least `contextChars` released
 * characters behind the release point, so the next window still sees that much of what came before: enough for every
 * construct the screen recognizes by its context (an AWS keyword and the secret after it, a `password =` and its
 * quoted value) that can reach from released text into text not yet released.
 *
 * The part left behind (the *tile* `raw[oldBase, base)`) is frozen only when its screened text is known and agrees
 * with the window's: the window's screening starts with the tile's raw text (nothing in it was changed), or with the
 * tile's own screening, whose end is unchanged raw text (nothing was cut there). Otherwise `base` stays, the window
 * grows, and screenings become rarer as it grows (each after a quarter of the window's length), so the work stays
 * linear even then.
 *
 * Guarantees:
 * - **Nothing unscreened is released.** Every released character comes from a window's screening that had at least
 *   `holdBackChars` characters of look-ahead and `contextChars` of look-behind, and each window's screening must start
 *   with what the previous ones released from it; if it does not (a reference-style link whose definition arrives
 *   later, a construct longer than the window), the stream is blocked: the rest is never sent (`prefix-changed`).
 * - **No part of a spread-out canary.** A canary with anything but letters and digits between its characters can be
 *   wider than the hold-back: the release also stops before the letters and digits at the end of the text that spell
 *   the beginning of the canary or of its reverse ({@link canaryPrefixStart}), so none of it leaves before the rest
 *   decides (look-alike letters the screen folds count; forms only normalization makes Latin, such as full-width
 *   letters, are caught by the final screening but not held).
 * - **Exactly the whole text's screening.** A stream that is not blocked sends exactly `screenOutput(all its text)`.
 *   Unless everything released is the raw text unchanged, the last window's screening changes nothing either, and the
 *   text is all ASCII, `finish` screens the whole text once and checks that it starts with what was released (else
 *   `prefix-changed`). Without that check, no screening changed anything and every construct the screen recognizes
 *   (bounded, or without white space and so never cut by a window's start) lay whole inside some window; a canary
 *   spread wider than a window (letters apart, with anything but letters and digits between) is caught by a running
 *   scan of the letters and digits, which on ASCII text is exactly the screen's own check.
 * - **Linear work.** The first screening comes when the raw text is `holdBackChars + minScreenStepChars` long (no
 *   earlier one could release anything). After it, a screening comes every `screenStepChars` characters of growth, of
 *   a window of about `contextChars + holdBackChars + screenStepChars`: with the defaults, each character is screened
 *   about three times, however the text is chunked (screening the whole text so far again, at geometric steps, cost
 *   five to seven); the final check, when needed, adds one. {@link countWork} sees all of it.
 *
 * Pure and I/O-free; the caller maps a block to a final chunk with `finish_reason: "content_filter"`, and treats any
 * exception as a block (fail closed).
 *
 * @module
 */
import { Canary, canaryOf, canaryPrefixStart } from '../shared/screening/canary';
import { allowList } from '../shared/screening/links';
import { ScreenOutputOptions, ScreenOutputResult, screenOutput } from '../shared/screening/output';
import { countWork } from '../shared/screening/work';

/** Characters of screened text held back from release by default: longer than any canary spelling, key or link the screen recognizes within a line. */
export const DEFAULT_HOLD_BACK_CHARS = 512;
/** Growth of the raw text beyond the hold-back window before the first screening, by default. */
export const DEFAULT_MIN_SCREEN_STEP_CHARS = 64;
/** Growth of the raw text between two later screenings, by default. */
export const DEFAULT_SCREEN_STEP_CHARS = 512;
/**
 * Released characters a window keeps before its release point, by default: more than the farthest reach of a
 * construct recognized by its context across white space (a credential assignment's key, separator and quoted value:
 * about 320 characters).
 */
export const DEFAULT_CONTEXT_CHARS = 512;
/** Characters at the end of a frozen tile that must be unchanged by its own screening. */
const TILE_TAIL_CHARS = 32;
const NON_ASCII = /[\u0080-\uffff]/;
const NOT_ALNUM = /[^A-Za-z0-9]+/g;

/** Options for {@link StreamScreen}. */
export interface StreamScreenOptions extends ScreenOutputOptions {
  /**
   * Characters at the end of the screened text that are never released before the stream ends.
   * @default DEFAULT_HOLD_BACK_CHARS
   */
  readonly holdBackChars?: number;
  /**
   * Growth of the raw text, in characters, beyond `holdBackChars` before the first screening; also the smallest
   * growth between two screenings.
   * @default DEFAULT_MIN_SCREEN_STEP_CHARS
   */
  readonly minScreenStepChars?: number;
  /**
   * Growth of the raw text, in characters, between two screenings after the first.
   * @default DEFAULT_SCREEN_STEP_CHARS
   */
  readonly screenStepChars?: number;
  /**
   * Released characters each window keeps before its release point (its look-behind).
   * @default DEFAULT_CONTEXT_CHARS
   */
  readonly contextChars?: number;
}

/** What the stream may send after a {@link StreamScreen.push} or {@link StreamScreen.finish}. */
export type StreamRelease =
  | { readonly blocked: false; readonly text: string }
  | { readonly blocked: true; readonly reasons: readonly string[] };

/** Incremental screening of one streamed answer. Create one per answer; not reusable. */
export class StreamScreen {
  private readonly opts: ScreenOutputOptions;
  private readonly holdBack: number;
  private readonly minStep: number;
  private readonly step: number;
  private readonly context: number;
  private readonly canary: Canary;
  /**
   * The raw text before the window, in the pieces the window left behind (joined only for the final check), and the
   * raw text of the window. Kept apart so that adding text and slicing the window never copies the whole text.
   */
  private readonly frozenRaw: string[] = [];
  private window = '';
  /** Raw index where the window starts. */
  private base = 0;
  /** Characters of raw text received. */
  private rawChars = 0;
  /** Raw length at the last screening (0: none yet). */
  private screenedRawChars = 0;
  /** All released text. */
  private released = '';
  /** The part of {@link released} that came from the current window. */
  private windowReleased = '';
  /** Everything released so far is the raw text itself: no screening changed any of it. */
  private verbatim = true;
  /** The text holds a character outside ASCII (normalization may change it). */
  private nonAscii = false;
  /** Raw characters the running canary scan has read, and the last letters and digits it kept. */
  private scannedRawChars = 0;
  private squeezedTail = '';
  private last: ScreenOutputResult | undefined;
  private blockedReasons: readonly string[] | undefined;
  private finished = false;

  constructor(opts: StreamScreenOptions) {
    this.holdBack = opts.holdBackChars ?? DEFAULT_HOLD_BACK_CHARS;
    this.minStep = opts.minScreenStepChars ?? DEFAULT_MIN_SCREEN_STEP_CHARS;
    this.step = Math.max(this.minStep, opts.screenStepChars ?? DEFAULT_SCREEN_STEP_CHARS);
    this.context = opts.contextChars ?? DEFAULT_CONTEXT_CHARS;
    for (const [name, value, min] of [['holdBackChars', this.holdBack, 0], ['minScreenStepChars', this.minStep, 1], ['screenStepChars', this.step, 1], ['contextChars', this.context, 0]] as const) {
      if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be a whole number of at least ${min}, got ${value}`);
    }
    this.opts = { canary: opts.canary, allowedLinkHosts: opts.allowedLinkHosts, allowHtml: opts.allowHtml };
    // Invalid screening options throw here, before any text arrives (the checks screenOutput makes first).
    this.canary = canaryOf(opts.canary);
    allowList(opts.allowedLinkHosts);
  }

  /** Characters released so far (of screened text). */
  get releasedChars(): number {
    return this.released.length;
  }

  /** Characters of raw model text received so far. */
  get receivedChars(): number {
    return this.rawChars;
  }

  /** The findings (reasons, redactions, removed links) of the screening that decided the end, for the audit record. */
  get findings(): Pick<ScreenOutputResult, 'reasons' | 'redactions' | 'removedLinks'> {
    const r = this.last;
    return { reasons: r?.reasons ?? [], redactions: r?.redactions ?? 0, removedLinks: r?.removedLinks ?? 0 };
  }

  /** Adds the next piece of model text; returns what may be sent now (often `''`). */
  push(delta: string): StreamRelease {
    if (this.blockedReasons !== undefined) return { blocked: true, reasons: this.blockedReasons };
    if (this.finished) throw new Error('StreamScreen.push after finish');
    this.window += delta;
    this.rawChars += delta.length;
    // Until the text is a step longer than the window, a screening would find (almost) all of it still held back: the
    // first screening waits for that, so the first release costs one screening of the text, not one per step. Later
    // ones come every step, or every quarter of the window when it could not move on (linear work either way).
    const due = this.screenedRawChars === 0
      ? this.holdBack + this.minStep
      : this.screenedRawChars + Math.max(this.step, Math.ceil((this.screenedRawChars - this.base) / 4));
    if (this.rawChars < due) return { blocked: false, text: '' };
    return this.screenWindow();
  }

  /** The model finished: screens what is left (and the whole text when needed, see the module description) and returns the rest. */
  finish(): StreamRelease {
    if (this.blockedReasons !== undefined) return { blocked: true, reasons: this.blockedReasons };
    this.finished = true;
    if (this.base === 0) return this.screenWindow(true);
    if (this.verbatim && !this.nonAscii) {
      if (this.scanCanary()) return this.block(['canary-leak']);
      const rest = this.window;
      const window = screenOutput(rest, this.opts);
      countWork(rest.length);
      if (!this.nonAscii && !window.blocked && window.text === rest) {
        this.last = window;
        return this.releaseFrom(window, true);
      }
    }
    // Something was changed or found, or normalization may join what the windows saw apart: the whole text decides.
    const whole = screenOutput(this.frozenRaw.join('') + this.window, this.opts);
    this.last = whole;
    if (whole.blocked) return this.block(whole.reasons);
    countWork(this.released.length);
    if (!whole.text.startsWith(this.released)) return this.block([...whole.reasons, 'prefix-changed']);
    const out = whole.text.slice(this.released.length);
    this.released = whole.text;
    return { blocked: false, text: out };
  }

  /** Screens the window `raw[base, end)`, releases what it may, and moves the window on when it can. */
  private screenWindow(final = false): StreamRelease {
    this.screenedRawChars = this.rawChars;
    // While the window is the whole text, its screening checks the canary itself.
    if (this.base > 0 && this.scanCanary()) return this.block(['canary-leak']);
    const result = screenOutput(this.window, this.opts);
    this.last = result;
    if (result.blocked) return this.block(result.reasons);
    const release = this.releaseFrom(result, final);
    if (!release.blocked && !final) this.advance(result.text);
    return release;
  }

  /** Releases the part of a window's screening `result` before the hold-back (all of it when `final`). */
  private releaseFrom(result: ScreenOutputResult, final: boolean): StreamRelease {
    const text = result.text;
    const already = this.windowReleased.length;
    countWork(already);
    if (!text.startsWith(this.windowReleased)) return this.block([...result.reasons, 'prefix-changed']);
    let end = text.length;
    if (!final) {
      // Release up to the last white space that lies at least holdBack characters before the end, and before the
      // letters and digits at the end that could be the start of a spread-out canary.
      end = -1;
      const hold = canaryPrefixStart(text, this.canary, already);
      for (let i = Math.min(text.length - this.holdBack, hold) - 1; i >= already; i--) {
        if (isSpace(text.charCodeAt(i))) {
          end = i + 1;
          break;
        }
      }
      countWork(Math.max(1, text.length - this.holdBack - Math.max(end, already)));
      if (end <= already) return { blocked: false, text: '' };
    }
    const out = text.slice(already, end);
    if (this.verbatim) {
      countWork(out.length);
      this.verbatim = this.window.startsWith(out, already);
    }
    this.windowReleased = text.slice(0, end);
    this.released += out;
    return { blocked: false, text: out };
  }

  /**
   * Moves `base` to a cut point at least `context` released characters behind the release point, when the tile left
   * behind has a known screening that the window's screening `text` starts with (see the module description).
   */
  private advance(text: string): void {
    const limit = this.windowReleased.length - this.context;
    if (limit < this.step) return;
    const cut = this.cutBefore(Math.min(limit, this.window.length));
    if (cut <= 0) return;
    const tile = this.window.slice(0, cut);
    countWork(tile.length);
    let image: string | undefined;
    if (text.startsWith(tile)) {
      image = tile;
    } else {
      // Something in the tile was changed: the tile screened alone must give the window's text, and end unchanged.
      const own = screenOutput(tile, this.opts);
      countWork(own.text.length);
      if (!own.blocked && text.startsWith(own.text) && own.text.endsWith(tile.slice(-TILE_TAIL_CHARS)) && this.windowReleased.length - own.text.length >= this.context) {
        image = own.text;
      }
    }
    if (image === undefined) return;
    // The running canary scan reads the tile before the window leaves it.
    if (this.scannedRawChars < this.base + cut && this.scanCanary(cut)) {
      this.block(['canary-leak']);
      return;
    }
    this.frozenRaw.push(tile);
    this.window = this.window.slice(cut);
    this.base += cut;
    this.windowReleased = this.windowReleased.slice(image.length);
  }

  /**
   * The window index after the last line break at or before `limit`, else after the last white space followed by a
   * letter or digit: a window that starts there reads the line or word as the whole text does. 0 when there is none.
   * One backward pass over the window, never beyond it.
   */
  private cutBefore(limit: number): number {
    const w = this.window;
    let word = 0;
    for (let i = limit; i > 0; i--) {
      const before = w.charCodeAt(i - 1);
      if (before === 0x0a) {
        countWork(limit - i + 1);
        return i;
      }
      if (word === 0 && isSpace(before) && isAlnum(w.charCodeAt(i))) word = i;
    }
    countWork(limit);
    return word;
  }

  /**
   * The running canary scan: the letters and digits of the raw text not read yet, up to window index `end`,
   * lower-cased, joined to the last ones kept, searched for the canary and its reverse. On ASCII text this is exactly
   * the screen's check of the canary with anything but letters and digits between its characters; it catches a
   * canary spread wider than a window. Text outside ASCII is left to the whole-text screening at the end.
   */
  private scanCanary(end = this.window.length): boolean {
    const piece = this.window.slice(this.scannedRawChars - this.base, end);
    this.scannedRawChars = this.base + end;
    countWork(4 * piece.length + this.squeezedTail.length);
    if (!this.nonAscii && NON_ASCII.test(piece)) this.nonAscii = true;
    if (this.nonAscii) return false;
    const squeezed = this.squeezedTail + piece.replace(NOT_ALNUM, '').toLowerCase();
    if (squeezed.includes(this.canary.key) || squeezed.includes(this.canary.reversed)) return true;
    this.squeezedTail = squeezed.slice(-(this.canary.key.length - 1));
    return false;
  }

  private block(reasons: readonly string[]): StreamRelease {
    this.blockedReasons = [...new Set(reasons)].sort();
    return { blocked: true, reasons: this.blockedReasons };
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function isAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
}
