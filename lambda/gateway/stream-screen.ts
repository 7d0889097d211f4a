/**
 * Output screening for streamed answers: text leaves only after {@link screenOutput} has seen it together with the
 * text that follows it, so a canary, secret or link split across chunks is caught before any of it is released.
 *
 * The rules are exactly those of {@link screenOutput}; nothing is re-implemented. The stream keeps the raw text so far
 * and screens all of it again whenever it has grown enough. Of the screened text it releases only what lies before
 * the last white space at least `holdBackChars` characters before its end: the held-back tail may still be the
 * beginning of a construct (a URL, a markdown link, a key, the canary) that only the next chunks complete.
 *
 * Two guarantees:
 * - **Nothing unscreened is released.** Every released character is a character of `screenOutput(raw so far)`, and
 *   the released text is always a prefix of the latest screening. If a later screening changes text already
 *   released (a reference-style link whose definition arrives more than `holdBackChars` later, a private key block
 *   longer than the window), the stream is blocked: the rest is never sent (`prefix-changed`).
 * - **Linear work.** The first screening comes when the raw text is `holdBackChars + minScreenStepChars` long: no
 *   earlier screening could release anything (the whole text would still be held back), so the first release costs
 *   one screening, not one per `minScreenStepChars`. After it, the raw text is screened again only when it has grown
 *   by a quarter of what was screened before (and by at least `minScreenStepChars`), so the total work over a stream
 *   of n characters is at most about 5 n screenings' worth, however the text is chunked; {@link countWork} sees all
 *   of it.
 *
 * A canary anywhere in the text so far blocks the stream at the next screening, before anything after it (or
 * before it, within the window) is released. Pure and I/O-free; the caller maps a block to a final chunk with
 * `finish_reason: "content_filter"`, and treats any exception as a block (fail closed).
 *
 * @module
 */
import { ScreenOutputOptions, ScreenOutputResult, screenOutput } from '../shared/screening/output';
import { countWork } from '../shared/screening/work';

/** Characters of screened text held back from release by default: longer than any canary spelling, key or link the screen recognizes within a line. */
export const DEFAULT_HOLD_BACK_CHARS = 512;
/** Smallest growth of the raw text between two screenings, by default. */
export const DEFAULT_MIN_SCREEN_STEP_CHARS = 64;

/** Options for {@link StreamScreen}. */
export interface StreamScreenOptions extends ScreenOutputOptions {
  /**
   * Characters at the end of the screened text that are never released before the stream ends.
   * @default DEFAULT_HOLD_BACK_CHARS
   */
  readonly holdBackChars?: number;
  /**
   * Smallest growth of the raw text, in characters, before it is screened again.
   * @default DEFAULT_MIN_SCREEN_STEP_CHARS
   */
  readonly minScreenStepChars?: number;
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
  private raw = '';
  private screenedRawChars = 0;
  private released = '';
  private last: ScreenOutputResult | undefined;
  private blockedReasons: readonly string[] | undefined;
  private finished = false;

  constructor(opts: StreamScreenOptions) {
    this.holdBack = opts.holdBackChars ?? DEFAULT_HOLD_BACK_CHARS;
    this.minStep = opts.minScreenStepChars ?? DEFAULT_MIN_SCREEN_STEP_CHARS;
    if (!Number.isInteger(this.holdBack) || this.holdBack < 0) throw new RangeError(`holdBackChars must be a whole number of at least 0, got ${this.holdBack}`);
    if (!Number.isInteger(this.minStep) || this.minStep < 1) throw new RangeError(`minScreenStepChars must be a whole number of at least 1, got ${this.minStep}`);
    this.opts = { canary: opts.canary, allowedLinkHosts: opts.allowedLinkHosts, allowHtml: opts.allowHtml };
    // Invalid screening options throw here, before any text arrives.
    screenOutput('', this.opts);
  }

  /** Characters released so far (of screened text). */
  get releasedChars(): number {
    return this.released.length;
  }

  /** Characters of raw model text received so far. */
  get receivedChars(): number {
    return this.raw.length;
  }

  /** The latest screening's findings (reasons, redactions, removed links), for the audit record. */
  get findings(): Pick<ScreenOutputResult, 'reasons' | 'redactions' | 'removedLinks'> {
    const r = this.last;
    return { reasons: r?.reasons ?? [], redactions: r?.redactions ?? 0, removedLinks: r?.removedLinks ?? 0 };
  }

  /** Adds the next piece of model text; returns what may be sent now (often `''`). */
  push(delta: string): StreamRelease {
    if (this.blockedReasons !== undefined) return { blocked: true, reasons: this.blockedReasons };
    if (this.finished) throw new Error('StreamScreen.push after finish');
    this.raw += delta;
    // Until the text is a step longer than the window, a screening would find (almost) all of it still held back: the
    // first screening waits for that, so the first release costs one screening of the text, not one per step.
    const due = this.screenedRawChars === 0 ? this.holdBack + this.minStep : this.screenedRawChars + Math.max(this.minStep, Math.ceil(this.screenedRawChars / 4));
    if (this.raw.length < due) return { blocked: false, text: '' };
    return this.screen(false);
  }

  /** The model finished: screens everything and returns the rest. */
  finish(): StreamRelease {
    if (this.blockedReasons !== undefined) return { blocked: true, reasons: this.blockedReasons };
    this.finished = true;
    return this.screen(true);
  }

  private screen(final: boolean): StreamRelease {
    this.screenedRawChars = this.raw.length;
    const result = screenOutput(this.raw, this.opts);
    this.last = result;
    if (result.blocked) return this.block(result.reasons);
    const text = result.text;
    countWork(this.released.length);
    if (!text.startsWith(this.released)) return this.block([...result.reasons, 'prefix-changed']);
    let end = text.length;
    if (!final) {
      // Release up to the last white space that lies at least holdBack characters before the end.
      end = -1;
      for (let i = text.length - this.holdBack - 1; i >= this.released.length; i--) {
        countWork(1);
        if (/\s/.test(text[i]!)) {
          end = i + 1;
          break;
        }
      }
      if (end <= this.released.length) return { blocked: false, text: '' };
    }
    const out = text.slice(this.released.length, end);
    this.released = text.slice(0, end);
    return { blocked: false, text: out };
  }

  private block(reasons: readonly string[]): StreamRelease {
    this.blockedReasons = [...new Set(reasons)].sort();
    return { blocked: true, reasons: this.blockedReasons };
  }
}
