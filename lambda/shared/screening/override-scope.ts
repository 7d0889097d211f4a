/**
 * What an override found in a document's own running text sets aside: the hard signal `override.outside-discussion`
 * ({@link ./document-score}) quarantines only a document that sets aside the reader's instructions or its task.
 *
 * An extraction request alone ("reveal your system prompt") is kept as soft evidence (the `overrideOutsideDiscussion`
 * feature): prose written for people names system prompts in the second person often — a newsletter on "what you can
 * paste into chatbots", an article on "how you write system prompts", a bot's policy that it "must not reveal its
 * system prompt" — while setting aside the instructions a reader holds ("ignore all previous instructions") or
 * dismissing its task has no use in a document but to take the reader over.
 */

/** Pre-screen signals that set aside the reader's instructions or the task it was given. */
const SETS_ASIDE = (id: string): boolean => id.startsWith('override.') || id === 'hijack.task-dismissed' || id === 'indirect.task-dismissed';

/**
 * Whether the pre-screen signals of a document's own running text set aside the reader's instructions or its task
 * (an override, a dismissed task), not only ask for them (an extraction request).
 *
 * @param signals - the pre-screen's signal ids for the running text.
 */
export function setsAsideInstructions(signals: readonly string[]): boolean {
  return signals.some(SETS_ASIDE);
}
