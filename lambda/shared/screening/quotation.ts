/**
 * The quotation marks both quotation scanners know (the document screen's mention view in discourse.ts and the
 * prompt score's in prompt-score.ts), in a module of their own so that the gateway's prompt path does not load the
 * document screen (its cue lists and word tables) to read two constants.
 *
 * @module
 */

/** Longest quotation or inline code span blanked out (characters); a longer one is left in the view. */
export const MAX_QUOTE = 600;

/** Closing mark of each opening quotation mark (ASCII quotes close themselves). */
export const CLOSER: ReadonlyMap<number, number> = new Map([
  [0x22, 0x22], // "
  [0x60, 0x60], // `
  [0x27, 0x27], // '
  [0x201c, 0x201d], // “ ”
  [0x201e, 0x201c], // „ “
  [0x2018, 0x2019], // ‘ ’
  [0xab, 0xbb], // « »
  [0x300c, 0x300d], // 「 」
  [0x300e, 0x300f], // 『 』
]);
