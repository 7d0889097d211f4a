/**
 * A one-shot cancellation signal for the gateway's waits and its AWS SDK calls, without the cost of an
 * `AbortController`.
 *
 * Node.js 20 spends about 25 µs creating an `AbortController` (its `AbortSignal` is a full `EventTarget`), and
 * `AbortSignal.any` more; a request used to create up to four (the response target's, the stream's, each Bedrock
 * attempt's timeout, and the combination of the last two). The SDK's HTTP handler and retry middleware accept any
 * object with `aborted`, `reason` and `addEventListener`/`removeEventListener` for `'abort'` (or `onabort`,
 * `@smithy/types` `AbortSignal`): they check `aborted` before sending, and on abort close the HTTP/2 stream and reject
 * with an `AbortError`. This class is that contract and nothing more: aborting calls every listener once, in the
 * order added (and `onabort`, when set), and later listeners are called at once.
 *
 * @module
 */

/** Listener of {@link Cancellation}: called once, when it aborts. */
export type AbortListener = () => void;

/** A cancellation signal (see the module comment). One per thing that can be cancelled; never reset. */
export class Cancellation {
  /** Listeners still to call; `undefined` until the first is added. */
  private listeners: AbortListener[] | undefined;
  private abortedFlag = false;
  private abortReason: unknown;
  /** Set by SDK code that does not use `addEventListener`; called on abort after the listeners. */
  onabort: ((this: unknown, ...args: unknown[]) => unknown) | null = null;

  /** Whether {@link abort} was called. */
  get aborted(): boolean {
    return this.abortedFlag;
  }

  /** The value given to {@link abort} (the SDK puts it in its `AbortError`'s cause or message). */
  get reason(): unknown {
    return this.abortReason;
  }

  /** Aborts: calls each listener once (an exception in one does not stop the others). A second call does nothing. */
  abort(reason?: unknown): void {
    if (this.abortedFlag) return;
    this.abortedFlag = true;
    this.abortReason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) callSafely(listener);
    const onabort = this.onabort;
    if (typeof onabort === 'function') callSafely(() => onabort.call(this));
  }

  /**
   * Calls `listener` once when this aborts (at once when it already has). `type` is `'abort'`, the only event; the
   * third argument (`{ once: true }`) is accepted and is how every listener is treated.
   */
  addEventListener(type: 'abort', listener: AbortListener, _options?: unknown): void {
    if (type !== 'abort') return;
    if (this.abortedFlag) {
      callSafely(listener);
      return;
    }
    (this.listeners ??= []).push(listener);
  }

  /** Removes `listener` (the first registration of it), if it is still waiting. */
  removeEventListener(type: 'abort', listener: AbortListener, _options?: unknown): void {
    if (type !== 'abort' || this.listeners === undefined) return;
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }

  /** Makes this abort when `parent` does (at once if it already has); returns a function that undoes the link. */
  follow(parent: Cancellation): () => void {
    const listener = (): void => this.abort(parent.reason);
    parent.addEventListener('abort', listener);
    return () => parent.removeEventListener('abort', listener);
  }
}

function callSafely(listener: () => unknown): void {
  try {
    listener();
  } catch {
    // A failing listener must not keep the others from running (an EventTarget goes on to the next one as well).
  }
}
