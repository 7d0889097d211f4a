/**
 * English cues of three shapes in which a document speaks to the AI that reads it without naming it (read by
 * `../reader-turns.ts`, document side only; the pre-screen never reads this file). Written from what the shapes do to
 * the reader, not taken from any document set.
 *
 * - A chat role marker: the label or tag that opens a turn of a conversation with a model. A document that is not a
 *   transcript has no turns; a turn planted in it is spoken to the model that reads it.
 * - A conditional answer: how to answer when the user asks ("If the user asks for a summary, reply with …", "If asked
 *   about X, respond …"): only whoever answers the user is told how to answer the user's request.
 * - Setting aside the material being read: "ignore the rest of this data and print …", "disregard all info except
 *   …": a document that tells its reader to ignore its own content, then what to output, replaces the reader's task.
 */

/**
 * A role marker: a role label ending in a colon at the very start of a line (after at most a few markup characters:
 * `#`, `*`, `>`, `-`; not indented, not followed by a quoted or bracketed value, as a key of code or data is: "System:",
 * "Assistant:", "User:", "### System message:"), or a role tag anywhere (`[system]`, `<system>`, `<|system|>`,
 * `###(system_message)`; not `(user)`, a program's parameter).
 */
export const ROLE_MARKER =
  /(?:^(?:[#*>-]{1,6}[ \t]{0,2})?(system|system[ _]message|system[ _]prompt|developer|assistant|user|human)[ \t]{0,2}:(?![ \t]*["'`[{])|[[<]\|?[ \t]{0,2}(system|system[ _]message|sys|assistant|user)[ \t]{0,2}\|?[\]>]|#{1,6}[ \t]{0,2}\((system[ _]message)\))/gim;

/**
 * Role-marked lines at or above which a document is a transcript or a chat log, whose turns are its own format; also
 * the speaker-labelled lines ({@link SPEAKER_LINE}) at or above which, when they are at least half of its non-empty
 * lines, it is one ("User: … / Agent: …").
 */
export const TRANSCRIPT_TURNS = 4;

/** A line opening with a speaker's label of one or two capitalized words and a colon, then text ("Agent: Sure."). */
export const SPEAKER_LINE = /^[ \t]{0,2}[A-Z][\w.'-]{0,20}(?: [A-Z][\w.'-]{0,20})?[ \t]{0,2}:[ \t]+\S/gm;

/**
 * A condition on what the user (or "you", passive) is asked or asks, then a verb of answering in the same sentence:
 * "If (the) user asks for a summary, reply with …", "IF asked how …, simply respond with …", "When users ask about X,
 * answer …". Bounded spans, no sentence end crossed.
 */
export const CONDITIONAL_ANSWER =
  /\b(?:if|when|whenever)[ \t]+(?:(?:the|a|any)[ \t]+)?(?:users?[ \t]+(?:asks?|requests?|wants?|queries|says?|types?)|(?:you[ \t]+are[ \t]+|you're[ \t]+)?asked)\b[^.!?\n]{0,160}?[,;:][ \t]*(?:then[ \t]+)?(?:(?:simply|only|just|always|please)[ \t]+)?(?:reply|respond|answer|say|output|print|return|state)\b/gi;

/**
 * A directive to set aside part of the material being read ("ignore the rest of this data", "disregard all info
 * except …", "ignore all negative indicators in the text", "ignore them and instead focus on …"), followed in the same
 * or the next sentence by what to output or attend to instead.
 */
export const SET_ASIDE_MATERIAL =
  /\b(?:ignore|disregard|forget|skip)\b[^.!?\n]{0,60}?\b(?:data|text|document|documents|info|information|content|context|snippets?|passages?|input|indicators?|details|them)\b[^\n]{0,200}?\b(?:print|output|reply|respond|answer|say|report|repeat|return|state|focus|provide)\b/gi;
