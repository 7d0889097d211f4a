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
  // Markers come in text order, so the line of each, the paragraph end after it and the turns' text are all found
  // moving forward: each character is read once however densely the markers sit (one long line of `[user]` tags).
  let lines = 0;
  let line = -2;
  let lineBreak = -1;
  let scanned = 0;
  let paragraphEnd = -2;
  let turnsEnd = 0;
  ROLE_MARKER.lastIndex = 0;
  for (let m = execCounted(ROLE_MARKER, text); m !== null; m = execCounted(ROLE_MARKER, text)) {
    for (; scanned < m.index; scanned++) if (text.charCodeAt(scanned) === 0x0a) lineBreak = scanned;
    if (lineBreak !== line) {
      line = lineBreak;
      if (++lines >= TRANSCRIPT_TURNS) break;
    }
    const markerEnd = m.index + m[0].length;
    // The first blank line at or after the marker's end: the one found before, unless the marker lies beyond it.
    if (paragraphEnd !== -1 && paragraphEnd < markerEnd) {
      paragraphEnd = text.indexOf('\n\n', markerEnd);
      countWork((paragraphEnd < 0 ? text.length : paragraphEnd) - markerEnd);
    }
    // A turn runs from its marker to the end of its paragraph, at most TURN_SPAN characters, and never re-reads the
    // text of the turn before it.
    const from = Math.max(markerEnd, turnsEnd);
    const to = Math.min(paragraphEnd < 0 ? text.length : paragraphEnd, markerEnd + TURN_SPAN);
    if (to > from) {
      turns.push(text.slice(from, to));
      turnsEnd = to;
    }
  }
  countWork(text.length);
  let plantedTurns = 0;
  if (turns.length > 0 && lines < TRANSCRIPT_TURNS && !transcript(text)) {
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
