/**
 * Three shapes in which a document speaks to the AI that reads it without naming it as an addressee
 * ({@link readerTurns}, features of the document screen's scored decision, ./document-score): a chat turn planted in
 * a document that is not a transcript, a conditional directive about how to answer the user, and a directive to set
 * aside the material being read and output something else. English only (`lexicon/reader-turn-cues.ts`).
 *
 * Each reads the text once with a global scan of bounded patterns: linear, and reported to `countWork`.
 */
import { addressProfile } from './discourse';
import { CONDITIONAL_ANSWER, ROLE_MARKER, SET_ASIDE_MATERIAL, SPEAKER_LINE, TRANSCRIPT_TURNS } from './lexicon/reader-turn-cues';
import { countWork, execCounted } from './work';

/** What {@link readerTurns} found. */
export interface ReaderTurns {
  /**
   * Role-marked turns that direct the reader (an imperative, a dictating verb, a modal or "you" in the turn's text) in
   * a document that is not a transcript: fewer than {@link TRANSCRIPT_TURNS} role-marked lines, and not mostly lines
   * of speakers' labels ({@link SPEAKER_LINE}). A transcript's turns are its own format.
   */
  readonly plantedTurns: number;
  /** Sentences that tell how to answer when the user asks ({@link CONDITIONAL_ANSWER}). */
  readonly conditionalAnswers: number;
  /** Directives to set aside the material being read and output something else ({@link SET_ASIDE_MATERIAL}). */
  readonly materialSetAside: number;
}

/** Characters of a turn read after its marker (to the end of its paragraph, at most this many). */
const TURN_SPAN = 400;

/** Counts the matches of a global pattern, reporting the span scanned. */
function countMatches(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let count = 0;
  for (let m = execCounted(re, text); m !== null; m = execCounted(re, text)) {
    count++;
    if (m[0].length === 0) re.lastIndex++;
  }
  countWork(text.length);
  return count;
}

/** Whether `text` is mostly lines of speakers' labels: a transcript or a chat log ({@link SPEAKER_LINE}). */
function transcript(text: string): boolean {
  const speakers = countMatches(SPEAKER_LINE, text);
  if (speakers < TRANSCRIPT_TURNS) return false;
  let lines = 0;
  for (const line of text.split('\n')) if (line.trim() !== '') lines++;
  countWork(text.length);
  return 2 * speakers >= lines;
}

/**
 * Reads the three shapes in `text` (the document's view: quotations of a document about attacks, code blocks and
 * string literals already left out by the caller).
 *
 * @param text - the document's text as the screen reads it.
 */
export function readerTurns(text: string): ReaderTurns {
  const turns: string[] = [];
  const lines = new Set<number>();
  ROLE_MARKER.lastIndex = 0;
  for (let m = execCounted(ROLE_MARKER, text); m !== null; m = execCounted(ROLE_MARKER, text)) {
    lines.add(text.lastIndexOf('\n', m.index));
    if (lines.size >= TRANSCRIPT_TURNS) break;
    const from = m.index + m[0].length;
    const para = text.indexOf('\n\n', from);
    const to = Math.min(para < 0 ? text.length : para, from + TURN_SPAN);
    turns.push(text.slice(from, to));
  }
  countWork(text.length);
  let plantedTurns = 0;
  if (turns.length > 0 && lines.size < TRANSCRIPT_TURNS && !transcript(text)) {
    for (const turn of turns) {
      const a = addressProfile(turn);
      if (a.imperatives + a.secondPerson + a.processorDirected + a.replyDirected + a.readerOutputDirected > 0) plantedTurns++;
    }
  }
  return {
    plantedTurns,
    conditionalAnswers: countMatches(CONDITIONAL_ANSWER, text),
    materialSetAside: countMatches(SET_ASIDE_MATERIAL, text),
  };
}
