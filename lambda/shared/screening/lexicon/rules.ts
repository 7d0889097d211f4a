/**
 * The pre-screen's rules, as data: each rule is a short sequence of word classes (see `words.ts`) with a maximum
 * gap in tokens between consecutive steps, plus the weights of the structural detectors. The engine
 * ({@link ../engine}) compiles the rules into one streaming matcher.
 */

/** One token rule. */
export interface RuleSpec {
  /** Signal id reported when the rule fires (ignored when `emit` is set). */
  readonly id: string;
  /** Weight in (0, 1]. */
  readonly w: number;
  /** Steps: a class name (or `A|B` alternatives) and the maximum number of tokens allowed before it. */
  readonly seq: ReadonlyArray<readonly [string, number]>;
  /** Classes that reset the rule's progress when seen. */
  readonly block?: readonly string[];
  /** Classes that weaken a match when seen within 4 tokens before its first step. */
  readonly pre?: readonly string[];
  /** Classes that weaken a match when seen within 2 tokens after its last step ("instructions *for* returns"). */
  readonly post?: readonly string[];
  /** Enable only for untrusted content. */
  readonly untrusted?: boolean;
  /**
   * Enable only for the user's own text, not with `untrusted` (the untrusted-document screen is tuned on its own
   * sets; these rules were measured on prompts only).
   */
  readonly direct?: boolean;
  /** Emit a derived class instead of reporting a signal. */
  readonly emit?: string;
}

const SENTENCE = ['EOS'];
/**
 * Weight of a processor directive that only the document screen counts, by its genre (see the rules after D_SWITCH):
 * above zero so the signal is reported, too small to move the score.
 */
const W_DIRECTIVE = 0.01;
const OVERRIDE_BLOCK = ['EOS', 'MY', 'OTHERPOSS'];
const OVERRIDE_POST = ['POSTB', 'MY'];
const OVERRIDE_PRE = ['REPORT', 'NOTC', 'DESCR'];

export const RULES: readonly RuleSpec[] = [
  // Derived concept: "system prompt", "initial instructions", "prompt del sistema", "系统提示".
  { id: '', emit: 'D_SYSPROMPT', w: 1, seq: [['SYSMOD', 0], ['PNOUN', 2]], block: SENTENCE },
  { id: '', emit: 'D_SYSPROMPT', w: 1, seq: [['PNOUN', 0], ['SYSMOD', 2]], block: SENTENCE },
  { id: '', emit: 'D_SYSPROMPT', w: 1, seq: [['SYSPROMPT', 0]] },

  // Instruction override.
  { id: 'override.ignore-instructions', w: 0.9, seq: [['IGNORE', 0], ['PRIOR', 3], ['INSTR', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-instructions', w: 0.85, seq: [['IGNORE', 0], ['YOUR', 2], ['INSTR', 2]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-instructions', w: 0.9, seq: [['IGNORE', 0], ['INSTR', 3], ['PRIOR', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-instructions', w: 0.9, seq: [['PRIOR', 0], ['INSTR', 3], ['IGNORE', 4]], block: OVERRIDE_BLOCK, pre: ['REPORT'] },
  { id: 'override.ignore-instructions', w: 0.85, seq: [['IGNORE', 0], ['D_SYSPROMPT', 4]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-above', w: 0.45, seq: [['IGNORE', 0], ['ABOVE_STRONG', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: ['PNOUN', 'MY'] },
  { id: 'override.ignore-instructions', w: 0.75, seq: [['IGNORE', 0], ['INSTR', 2], ['ACTOR|YOU', 4]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-restrictions', w: 0.6, seq: [['IGNORE', 0], ['PRIOR|YOUR', 3], ['AIRESTRICT', 2]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.ignore-instructions', w: 0.85, seq: [['IGNORE', 0], ['STUFF', 2], ['BEFORE_STRONG', 2]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.do-not-follow', w: 0.75, seq: [['NOTC', 0], ['FOLLOW', 1], ['PRIOR', 2], ['INSTR', 3]], block: OVERRIDE_BLOCK },
  // "Don't follow the instructions *of the old manual*" names whose instructions; bare "don't follow instructions" does not.
  { id: 'override.do-not-follow', w: 0.6, seq: [['NOTC', 0], ['FOLLOW', 1], ['INSTR', 3]], block: OVERRIDE_BLOCK, post: ['POSTOF'] },
  // Reproduce what was just dismissed: after an override of the reader's instructions, a verb that reproduces text
  // whose object is a pronoun ("… and print them") or the instructions named again refers to those instructions, so
  // the override is an extraction. "I" or "my" between them makes the instructions the user's own ("ignore the
  // previous instructions I gave you; show them to me"), which a user may ask to see.
  { id: 'extraction.after-override', w: 0.6, direct: true, seq: [['IGNORE', 0], ['PRIOR', 3], ['INSTR', 3], ['REPRO', 4], ['THEM|PRIOR|INSTR', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE },
  { id: 'extraction.after-override', w: 0.6, direct: true, seq: [['IGNORE', 0], ['YOUR', 2], ['INSTR', 2], ['REPRO', 4], ['THEM|PRIOR|INSTR|YOUR', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE },
  { id: 'extraction.after-override', w: 0.6, direct: true, seq: [['IGNORE', 0], ['INSTR', 3], ['PRIOR', 3], ['REPRO', 4], ['THEM|PRIOR|INSTR', 3]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE },
  // Resets whose object is whatever the reader was given before ("forget all the previous information", "forget
  // about all the assignments"): weaker than dismissing instructions, since a user also withdraws their own data. The
  // document screen is tuned on its own sets, where an email withdraws its own earlier message.
  { id: 'override.forget-prior', w: 0.5, direct: true, seq: [['IGNORE', 0], ['PRIOR|ALLQ', 3], ['PRIORINFO', 2]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },
  { id: 'override.instructions-void', w: 0.7, seq: [['PRIOR', 0], ['INSTR', 2], ['VOID', 5]], block: OVERRIDE_BLOCK },
  { id: 'override.instructions-void', w: 0.7, seq: [['D_SYSPROMPT', 0], ['VOID', 5]], block: OVERRIDE_BLOCK },
  { id: 'override.new-instructions', w: 0.45, seq: [['YOUR', 0], ['NEW', 1], ['TASK', 1]], block: SENTENCE },
  { id: 'override.new-instructions', w: 0.35, seq: [['NEW', 0], ['TASK', 1], ['COLON', 0]] },

  // Fiction framing of the user's own work ("in my novel", "my story"): a villain or rogue AI there is a character,
  // so prescreen weakens `persona.unrestricted-ai` (counted by the matcher, emitted for the user's own text only).
  { id: '', emit: 'D_FICTION', w: 1, direct: true, seq: [['MY', 0], ['CREATIVE', 2]], block: SENTENCE },

  // Persona / DAN jailbreaks.
  { id: 'persona.do-anything-now', w: 0.85, seq: [['DO', 0], ['ANYTHING', 0], ['NOW', 0]] },
  { id: 'persona.named-jailbreak', w: 0.45, seq: [['PERSONA|YOU|NOW', 0], ['DANNAME', 4]], block: SENTENCE },
  { id: 'persona.unrestricted-ai', w: 0.6, seq: [['UNRESTR', 0], ['AIWORD|MODE|YOU|PERSONA', 3]], block: SENTENCE },
  { id: 'persona.unrestricted-ai', w: 0.6, seq: [['YOU|AIWORD', 0], ['UNRESTR', 4]], block: SENTENCE },
  { id: 'persona.no-restrictions', w: 0.3, seq: [['NOWORD', 0], ['RESTRICT', 3]], block: SENTENCE },
  { id: 'persona.no-ai-policy', w: 0.55, seq: [['NOWORD', 0], ['AIPOLICYMOD', 2], ['POLICY|RESTRICT', 1]], block: SENTENCE },
  { id: 'persona.no-ai-policy', w: 0.55, seq: [['AIPOLICYMOD', 0], ['POLICY|RESTRICT', 0], ['NOTC|VOID', 2], ['EXISTV', 1]], block: SENTENCE },
  { id: 'persona.policy-bypass', w: 0.6, seq: [['BYPASSV', 0], ['POLICY', 3], ['ACTOR', 3]], block: SENTENCE },
  { id: 'persona.do-anything-now', w: 0.45, seq: [['AIWORD', 0], ['DO', 4], ['ANYTHING', 0]], block: SENTENCE },
  { id: 'persona.anything-goes', w: 0.55, seq: [['ANYTHING|ANY', 0], ['EVEN', 2], ['ILLEGAL', 2]], block: SENTENCE },
  { id: 'persona.unrestricted-ai', w: 0.6, seq: [['AIWORD', 0], ['NOWORD', 5], ['RESTRICT', 3]], block: SENTENCE },
  { id: 'persona.never-refuse', w: 0.6, seq: [['AIWORD', 0], ['NOTC|NOWORD', 4], ['REFUSE', 1]], block: SENTENCE },
  { id: 'persona.no-longer-bound', w: 0.6, seq: [['NOTC|VOID', 0], ['BOUND', 1], ['POLICY|RESTRICT|AIPOLICYMOD', 4]], block: SENTENCE },
  { id: 'persona.jailbreak-mode', w: 0.65, seq: [['NOWORD', 0], ['RESTRICT', 0], ['MODE', 1]] },
  { id: 'persona.restrictions-lifted', w: 0.5, seq: [['PRIOR|YOUR|AIPOLICYMOD', 0], ['AIRESTRICT', 1], ['VOID|BYPASSV', 3]], block: SENTENCE },
  { id: 'persona.special-mode', w: 0.35, seq: [['MODEADJ', 0], ['MODE', 1]] },
  { id: 'persona.jailbreak-mode', w: 0.65, seq: [['STRONGMODE', 0], ['MODE', 1]] },
  { id: 'persona.mode-enabled', w: 0.3, seq: [['ENABLE', 0], ['MODEADJ', 2], ['MODE', 1]] },
  { id: 'persona.never-refuse', w: 0.45, seq: [['NOTC|NOWORD', 0], ['REFUSE', 2]], block: SENTENCE },
  { id: 'persona.stay-in-character', w: 0.25, seq: [['STAY', 0], ['CHARACTER', 2]] },
  { id: 'persona.policy-bypass', w: 0.6, seq: [['BYPASSV|IGNORE', 0], ['AIPOLICYMOD|YOUR', 3], ['POLICY', 2]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE, post: OVERRIDE_POST },

  // System-prompt extraction.
  { id: 'extraction.system-prompt', w: 0.8, seq: [['REVEAL|SUMMV', 0], ['D_SYSPROMPT', 5]], block: ['EOS', 'EXAMPLEB', 'MY', 'OTHERPOSS'] },
  { id: 'extraction.your-instructions', w: 0.6, seq: [['WHAT', 0], ['YOUR', 4], ['PROMPTW', 0]], block: SENTENCE, post: ['POSTB'] },
  { id: 'extraction.system-prompt', w: 0.7, seq: [['YOUR', 0], ['D_SYSPROMPT', 3]], block: SENTENCE },
  { id: 'extraction.your-instructions', w: 0.55, seq: [['REVEAL|SUMMV', 0], ['YOUR', 3], ['PNOUN', 2]], block: SENTENCE, post: ['POSTB'] },
  // Reproducing the text above is extraction; summarizing or translating the conversation above is not (in a
  // document both are; that screen is tuned on its own sets).
  { id: 'extraction.repeat-above', w: 0.7, direct: true, seq: [['REVEAL', 0], ['STUFF', 3], ['ABOVE', 2]], block: SENTENCE },
  { id: 'extraction.repeat-above', w: 0.7, untrusted: true, seq: [['REVEAL|SUMMV', 0], ['STUFF', 3], ['ABOVE', 2]], block: SENTENCE },
  { id: 'extraction.repeat-above', w: 0.6, direct: true, seq: [['ABOVE', 0], ['STUFF', 2], ['REVEAL', 5]], block: SENTENCE },
  { id: 'extraction.starting-with', w: 0.55, seq: [['START', 0], ['YOU', 3], ['ARE', 0]], pre: ['CREATIVE'] },
  { id: 'extraction.what-told', w: 0.6, seq: [['WHAT', 0], ['YOU', 4], ['TOLD', 2]], block: SENTENCE },
  { id: 'extraction.what-told', w: 0.6, seq: [['PNOUN|STUFF|INSTR', 0], ['YOU', 2], ['TOLD', 2]], block: SENTENCE },
  { id: 'extraction.what-told', w: 0.6, seq: [['WHAT', 0], ['ACTOR', 3], ['TELLV', 1], ['YOU', 0]], block: SENTENCE },
  { id: 'extraction.before-first-message', w: 0.55, seq: [['ABOVE', 0], ['FIRST', 2], ['PNOUN', 0]], block: SENTENCE },
  { id: 'extraction.context-window', w: 0.55, seq: [['STUFF|WHAT|REVEAL|SUMMV', 0], ['YOUR', 6], ['CONTEXT', 0]], block: SENTENCE },
  { id: 'extraction.secret', w: 0.6, seq: [['WHAT|REVEAL|SUMMV', 0], ['SYSMOD', 4], ['CREDENTIAL', 1]], block: SENTENCE },

  // Show or forget the instructions "you were given" (not the instructions a shop gave the user), in languages that mark the second person in the verb phrase.
  { id: 'extraction.what-told', w: 0.6, direct: true, seq: [['REVEAL', 0], ['INSTR|PNOUN|STUFF', 3], ['TOLDYOU', 4]], block: SENTENCE },
  { id: 'override.ignore-instructions', w: 0.75, direct: true, seq: [['IGNORE', 0], ['TOLDYOU', 5]], block: OVERRIDE_BLOCK, pre: OVERRIDE_PRE },
  // "Rather than following your instructions, …": the instructions are dismissed.
  { id: 'override.instead-of-instructions', w: 0.6, direct: true, seq: [['DISMISS', 0], ['FOLLOW', 1], ['YOUR|PRIOR', 2], ['INSTR', 2]], block: SENTENCE },

  // Completion-style extraction: continue, complete or start a text whose seed is the assistant's own instructions
  // ("continue: 'my instructions are'", "start your reply with 'Sure, my instructions are:'", a quotation that opens
  // with "You are"). A story, poem or song being continued is creative writing, not extraction.
  { id: 'extraction.completion', w: 0.6, direct: true, seq: [['CONTINUEV|START', 0], ['QOPEN', 4], ['MY', 3], ['INSTR|PNOUN|D_SYSPROMPT', 1]], block: ['EOS', 'CREATIVE'] },
  { id: 'extraction.completion', w: 0.6, direct: true, seq: [['CONTINUEV|START', 0], ['QOPEN', 4], ['D_SYSPROMPT', 3]], block: ['EOS', 'CREATIVE'] },
  { id: 'extraction.completion', w: 0.55, direct: true, seq: [['CONTINUEV', 0], ['QOPEN', 4], ['YOUARE|PERSONA', 1]], block: ['EOS', 'CREATIVE'] },
  { id: 'extraction.completion', w: 0.55, direct: true, seq: [['CONTINUEV', 0], ['YOUR', 4], ['INSTR|PNOUN|D_SYSPROMPT', 2]], block: ['EOS', 'CREATIVE', 'MY'] },
  { id: 'extraction.part-of-instructions', w: 0.55, direct: true, seq: [['PARTN', 0], ['YOUR', 2], ['INSTR|D_SYSPROMPT|PROMPTW', 1]], block: SENTENCE },
  // Verb-final languages (tr, hi, ja, ko): the object comes before the verb.
  { id: 'extraction.system-prompt', w: 0.6, direct: true, seq: [['D_SYSPROMPT', 0], ['REVEAL', 3]], block: ['EOS', 'MY', 'OTHERPOSS', 'NOTC'], pre: ['MY', 'OTHERPOSS', 'EXAMPLEB'] },
  { id: 'extraction.given-instructions', w: 0.55, direct: true, seq: [['TOLD_SOV', 0], ['INSTR|PNOUN', 1], ['REVEAL', 4]], block: SENTENCE },

  // Fixed-output hijacks: the reply must be a given literal. D_FIXED is a demand for an exact literal ("respond only
  // with \"…\"", "just say: …", "say \"…\" and nothing else"); on its own it is also how exam questions ask for an
  // answer, so it flags only with a hacked/pwned literal, after the task is dismissed ("instead", "forget the
  // translation", "don't summarize") or as a standing order ("from now on …").
  { id: '', emit: 'D_FIXED', w: 1, direct: true, seq: [['OUTV', 0], ['ONLY|EXACTLY', 3], ['QOPEN|COLON', 3]], block: SENTENCE },
  { id: '', emit: 'D_FIXED', w: 1, direct: true, seq: [['ONLY|EXACTLY', 0], ['OUTV', 3], ['QOPEN|COLON', 3]], block: SENTENCE },
  { id: '', emit: 'D_FIXED', w: 1, direct: true, seq: [['ONLY', 0], ['QOPEN', 1]], block: SENTENCE },
  { id: '', emit: 'D_FIXED', w: 1, direct: true, seq: [['OUTV', 0], ['QOPEN', 2], ['QEND', 10], ['ONLY', 2]], block: SENTENCE },
  // Verb-final (ja, ko): 「…」とだけ答えて. A mark never starts a rule (see the engine), so the literal's hacked word does.
  { id: '', emit: 'D_FIXED', w: 1, direct: true, seq: [['HACKWORD', 0], ['QEND', 3], ['ONLY', 2], ['OUTV', 2]], block: SENTENCE },
  { id: '', emit: 'D_PWN', w: 1, direct: true, seq: [['OUTV|RESPONSEN', 0], ['HACKWORD', 5]], block: ['EOS', 'MY', 'IF'] },
  { id: '', emit: 'D_PWN', w: 1, direct: true, seq: [['OUTV|RESPONSEN|ONLY|EXACTLY', 0], ['QOPEN', 3], ['HACKWORD', 5]], block: ['EOS', 'QEND'] },
  { id: '', emit: 'D_PWN', w: 1, direct: true, seq: [['COLON', 0], ['HACKWORD', 5]], block: SENTENCE },
  { id: '', emit: 'D_PWN', w: 1, direct: true, seq: [['HACKWORD', 0], ['QEND', 3], ['ONLY|OUTV', 2]], block: SENTENCE },
  { id: '', emit: 'D_DISMISS', w: 1, direct: true, seq: [['IGNORE', 0], ['TASKN', 2]], block: SENTENCE },
  { id: '', emit: 'D_DISMISS', w: 1, direct: true, seq: [['NOTC', 0], ['TASKV', 1]], block: SENTENCE },
  { id: '', emit: 'D_DISMISS', w: 1, direct: true, seq: [['TASKV', 0], ['NOTC', 1]], block: SENTENCE },
  { id: 'hijack.fixed-output', w: 0.35, direct: true, seq: [['D_FIXED', 0]] },
  // The same chains as D_PWN, reported from where they start (a derived class is seen at its last token, inside the
  // quotation, where a mention would weaken it).
  { id: 'hijack.hacked-output', w: 0.4, direct: true, seq: [['OUTV|RESPONSEN', 0], ['HACKWORD', 5]], block: ['EOS', 'MY', 'IF'] },
  { id: 'hijack.hacked-output', w: 0.4, direct: true, seq: [['OUTV|RESPONSEN|ONLY|EXACTLY', 0], ['QOPEN', 3], ['HACKWORD', 5]], block: ['EOS', 'QEND'] },
  { id: 'hijack.hacked-output', w: 0.4, direct: true, seq: [['COLON', 0], ['HACKWORD', 5]], block: SENTENCE },
  { id: 'hijack.hacked-output', w: 0.4, direct: true, seq: [['HACKWORD', 0], ['QEND', 3], ['ONLY|OUTV', 2]], block: SENTENCE },
  { id: 'hijack.task-dismissed', w: 0.6, direct: true, seq: [['DISMISS|D_DISMISS', 0], ['D_FIXED|D_PWN', 12]] },
  { id: 'hijack.standing-output', w: 0.6, direct: true, seq: [['PERSIST', 0], ['OUTV', 4], ['EVERY', 3], ['QOPEN', 3]] },
  { id: 'hijack.standing-output', w: 0.6, direct: true, seq: [['PERSIST', 0], ['D_FIXED', 8]] },

  // Format / delimiter injection in words.
  { id: 'delimiter.new-instructions-banner', w: 0.6, seq: [['START|END', 0], ['NEW|SYSMOD', 2], ['INSTR|PNOUN|SYSPROMPT', 1]] },
  { id: 'delimiter.end-of-input', w: 0.35, seq: [['END', 0], ['INPUTN', 2]] },
  // A fake input boundary: the text closes "the input" and then plants what the reply is expected to be, a literal
  // after "expected response:" (a test case the model should imitate), or closes the input and opens a new one. A
  // form that ends its input section plants no answer ("expected response time: 2 days" names no reply).
  { id: 'delimiter.planted-response', w: 0.8, direct: true, seq: [['END', 0], ['INPUTN', 2], ['EXPECTADJ', 40], ['RESPONSEN|OUTV', 1], ['COLON|QOPEN', 0]] },
  { id: 'delimiter.reopened-input', w: 0.6, direct: true, seq: [['END', 0], ['INPUTN', 2], ['START', 60], ['INPUTN', 2]] },
  { id: 'delimiter.system-override', w: 0.55, seq: [['SYSMOD|MODEADJ', 0], ['IGNORE', 0]] },

  // Obfuscation instructions.
  { id: 'obfuscation.decode-and-run', w: 0.45, seq: [['DECODE', 0], ['EXEC', 6]] },

  // Indirect injection (untrusted content only).
  { id: 'indirect.address-ai', w: 0.55, untrusted: true, seq: [['ADDRESS', 0], ['AIWORD', 4]], block: ['EOS', 'COLON'] },
  { id: 'indirect.address-ai', w: 0.6, untrusted: true, seq: [['IF', 0], ['YOU', 0], ['ARE', 0], ['AIWORD', 2]] },
  { id: 'indirect.address-ai', w: 0.4, untrusted: true, seq: [['AIWORD', 0], ['COLON', 0]] },
  { id: 'indirect.address-ai', w: 0.5, untrusted: true, seq: [['AIWORD', 0], ['IGNORE|BYPASSV', 1]] },
  { id: 'indirect.ignore-user', w: 0.55, untrusted: true, seq: [['IGNORE', 0], ['AUDIENCE', 2], ['REQUEST', 1]], block: SENTENCE },
  { id: 'indirect.ai-must', w: 0.45, untrusted: true, seq: [['AIWORD', 0], ['MODAL', 3]], block: SENTENCE },
  { id: 'indirect.when-processing', w: 0.35, untrusted: true, seq: [['WHEN', 0], ['PROCESSV', 2], ['THISDOC|DOCNOUN', 3]], block: SENTENCE },
  { id: 'indirect.conceal', w: 0.55, untrusted: true, seq: [['NOTC|NOWORD', 0], ['CONCEALV', 2], ['AUDIENCE', 3]], block: SENTENCE },
  // "Send an email with a link to https://…" shares a link; data is not sent to it.
  { id: 'indirect.exfiltrate', w: 0.5, untrusted: true, seq: [['SENDV', 0], ['SENSITIVE', 6], ['TO', 6], ['URL|EMAILADDR', 3]], block: ['EOS', 'LINKN'] },
  { id: 'indirect.tool-call', w: 0.3, untrusted: true, seq: [['TOOLV', 0], ['TOOL', 3]], block: SENTENCE },
  // Reader-directed cues (derived classes, see READER_CUES): "your reply", "when summarizing this email",
  // "tell the user", "do not mention", "your new task". The user comes before the verb in verb-final languages
  // (ja, ko), with a wider gap.
  { id: '', emit: 'D_REPLY', untrusted: true, w: 1, seq: [['YOUR|R_YOUR', 0], ['R_REPLYN', 1]], block: SENTENCE },
  { id: '', emit: 'D_REPLY', untrusted: true, w: 1, seq: [['WHEN|R_WHEN', 0], ['PROCESSV|R_PROCESSV', 2], ['THISDOC|DOCNOUN', 3]], block: SENTENCE },
  { id: '', emit: 'D_REPLY', untrusted: true, w: 1, seq: [['WHEN|R_WHEN', 0], ['YOU', 0], ['PROCESSV|R_PROCESSV|R_REPLYV', 1]], block: SENTENCE },
  { id: '', emit: 'D_REPLY', untrusted: true, w: 1, seq: [['R_REPLYV', 0], ['R_ONLY', 1]], block: SENTENCE },
  { id: '', emit: 'D_TELLUSER', untrusted: true, w: 1, seq: [['R_TELL', 0], ['R_USER', 3]], block: SENTENCE },
  { id: '', emit: 'D_TELLUSER', untrusted: true, w: 1, seq: [['R_USER', 0], ['R_TELL', 6]], block: SENTENCE },
  { id: '', emit: 'D_CONCEAL', untrusted: true, w: 1, seq: [['NOTC|NOWORD|R_NOT', 0], ['CONCEALV|R_CONCEALV', 2]], block: SENTENCE },
  { id: '', emit: 'D_SWITCH', untrusted: true, w: 1, seq: [['NEW', 0], ['TASK', 1]], block: SENTENCE },
  { id: 'indirect.destructive-action', w: 0.35, untrusted: true, seq: [['DANGER', 0], ['DANGEROBJ', 4]], block: SENTENCE },

  // Processor directives: instructions aimed at whoever processes the document rather than at its human reader.
  // Changing the reply's form ("translate your answer into French", "add emojis to your response") is weighed on its
  // own. The others are ordinary in a runbook or a policy addressed to staff, so they carry W_DIRECTIVE (next to
  // nothing in the score) and the document screen counts them only when the document is not itself written in
  // instructions to people (GENRE_DEPENDENT in document.ts). `EOS` as a first step anchors an imperative at the start of its sentence:
  // framed by a label or a clause ("This week's prompt: write a poem", "For the newsletter, write …") it belongs to
  // the document's own discourse.
  // "Before answering, …", "while summarizing, …": a clause about the reader's reply.
  { id: '', emit: 'D_REPLY', untrusted: true, w: 1, seq: [['WHEN', 0], ['ANSWERING', 0]] },
  { id: 'indirect.output-format', w: 0.5, untrusted: true, seq: [['D_REPLY', 0], ['FORMAT_STYLE', 8]], block: SENTENCE },
  { id: 'indirect.output-format', w: 0.5, untrusted: true, seq: [['FORMAT_STYLE|TRANSFORMV', 0], ['D_REPLY', 8]], block: SENTENCE },
  { id: 'indirect.output-language', w: W_DIRECTIVE, untrusted: true, seq: [['D_REPLY', 0], ['FORMAT_LANG', 8]], block: SENTENCE },
  // A bare "answer in …": a form ("using only emojis", "translated"), or a language the reply must be limited to
  // ("in Spanish only"; "please reply in English" alone is a colleague's request).
  { id: 'indirect.output-format-imperative', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['OUTV2|R_REPLYV', 1], ['FORMAT_STYLE|TRANSFORMV', 4]], block: ['EOS', 'TO'] },
  { id: 'indirect.output-format-imperative', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['OUTV2|R_REPLYV', 1], ['FORMAT_LANG', 3], ['ONLY2', 1]], block: ['EOS', 'TO'] },
  { id: 'indirect.output-format-imperative', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['OUTV2|R_REPLYV', 1], ['ONLY2', 1], ['FORMAT_LANG', 2]], block: ['EOS', 'TO'] },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['CREATEV', 1], ['GENWORK', 3]], block: SENTENCE },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['TELLME', 2], ['GENWORK|ABOUTW', 2]], block: SENTENCE },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['GENWORK', 0], ['CREATEV_CJK', 3]], block: SENTENCE },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['CREATEV_CJK', 0], ['GENWORK', 4]], block: SENTENCE },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['D_REPLY', 0], ['CREATEV', 2], ['GENWORK', 3]], block: SENTENCE },
  { id: 'indirect.task-irrelevant', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['OUTV2', 1], ['THISDOC', 0], ['QUESTIONN', 0]], block: SENTENCE },
  // What is inserted is content of the directive's choosing (a link, an image, the following text, a claim), not the
  // reader's own details ("include your order number in your reply").
  { id: 'indirect.reply-insert', w: W_DIRECTIVE, untrusted: true, seq: [['INSERTV', 0], ['FOLLOWINGW|LINKN|IMAGEN|URL', 3], ['D_REPLY', 6]], block: SENTENCE },
  { id: 'indirect.reply-insert', w: W_DIRECTIVE, untrusted: true, seq: [['INSERTV', 0], ['D_REPLY', 3], ['THAT|COLON|URL', 1]], block: SENTENCE },
  // After the reply is named, what is inserted must follow: "In your reply, add: …", not "mention whether you …".
  { id: 'indirect.reply-insert', w: W_DIRECTIVE, untrusted: true, seq: [['D_REPLY', 0], ['INSERTV', 4], ['THAT|COLON|URL|FOLLOWINGW', 2]], block: SENTENCE },
  { id: 'indirect.tell-user-link', w: W_DIRECTIVE, untrusted: true, seq: [['URGEV|R_TELL', 0], ['R_USER2', 3], ['URL', 14]], block: SENTENCE },
  { id: 'indirect.tell-user-link', w: W_DIRECTIVE, untrusted: true, seq: [['URGEV|R_TELL', 0], ['URL', 3], ['R_USER2', 8]], block: SENTENCE },
  { id: 'indirect.tell-user-link', w: W_DIRECTIVE, untrusted: true, seq: [['R_USER2', 0], ['URL', 4], ['R_TELL', 12]], block: SENTENCE },
  { id: 'indirect.ask-user-secret', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['URGEV', 1], ['R_USER2', 3], ['SECRETN', 6]], block: ['EOS', 'CHANGEV', 'NOTC'] },
  { id: 'indirect.ask-user-secret', w: W_DIRECTIVE, untrusted: true, seq: [['D_REPLY', 0], ['URGEV', 2], ['R_USER2', 3], ['SECRETN', 6]], block: ['EOS', 'CHANGEV', 'NOTC'] },
  { id: 'indirect.dictated-claim', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['ASSERTV_START', 1], ['THAT', 0]], block: SENTENCE },
  { id: 'indirect.dictated-claim', w: W_DIRECTIVE, untrusted: true, seq: [['ASSERTV', 0], ['D_REPLY', 3], ['THAT', 1]], block: SENTENCE },
  { id: 'indirect.dictated-claim', w: W_DIRECTIVE, untrusted: true, seq: [['D_REPLY', 0], ['ASSERTV', 3], ['THAT', 1]], block: SENTENCE },
  // "Do not summarize this email", not "do not translate the brand names".
  { id: 'indirect.task-dismissed', w: W_DIRECTIVE, untrusted: true, seq: [['NOTC', 0], ['SUMMV2', 1], ['THISW|DOCNOUN', 2]], block: SENTENCE },
  { id: 'indirect.task-dismissed', w: W_DIRECTIVE, untrusted: true, seq: [['STOPV', 0], ['SUMMV2', 0]], block: SENTENCE },
  { id: 'indirect.task-dismissed', w: W_DIRECTIVE, untrusted: true, seq: [['IGNORE', 0], ['THISDOC', 0], ['QUESTIONN', 0]], block: SENTENCE },
  { id: 'indirect.destructive-imperative', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['DESTROYV', 1], ['ALLQ', 1]], block: SENTENCE },
  { id: 'indirect.destructive-imperative', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['DESTROYV', 1], ['DESTROYOBJ', 3]], block: SENTENCE },
  { id: 'indirect.task-dismissed', w: W_DIRECTIVE, untrusted: true, seq: [['NOTC', 0], ['OUTV|R_REPLYV', 1], ['R_USER2', 2], ['REQUEST', 1]], block: SENTENCE },
  { id: 'indirect.task-dismissed', w: W_DIRECTIVE, untrusted: true, seq: [['DISMISS', 0], ['WHAT', 1], ['YOU', 0], ['TOLD|TELLV', 2]], block: SENTENCE },
  // A fixed output names its literal ("output only the following text:", "just print the word …"); "print only the
  // pages you need" does not.
  { id: 'indirect.fixed-output', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['OUTV', 1], ['ONLY|EXACTLY', 3], ['COLON|FOLLOWINGW|WORDN', 4]], block: SENTENCE },
  { id: 'indirect.fixed-output', w: W_DIRECTIVE, untrusted: true, seq: [['EOS', 0], ['ONLY', 0], ['OUTV', 0], ['COLON|FOLLOWINGW|WORDN', 3]], block: SENTENCE },
  { id: 'indirect.fixed-output', w: W_DIRECTIVE, untrusted: true, seq: [['PERSIST', 0], ['OUTV2|R_REPLYV', 4], ['EVERY', 2]], block: SENTENCE },
];

/** Weights of structural detectors (not token rules). */
export const W = {
  specialToken: 0.6,
  roleTag: 0.5,
  weakRoleTag: 0.3,
  roleLine: 0.4,
  turnLine: 0.3,
  roleJson: 0.3,
  hiddenText: 0.55,
  encodedPayload: 0.5,
  obfuscatedWords: 0.3,
  exfilUrl: 0.55,
  hiddenMarkup: 0.35,
  htmlComment: 0.15,
  invisibleCharacters: 0.2,
  readerInstruction: 0.55,
  remoteScript: 0.25,
  evalRemote: 0.45,
  readerInstructionStrong: 0.75,
};

/**
 * Reader-directed cues for untrusted content: what a document asks ITS READER to do, not what it is about. Each
 * cue is a set of classes; a document that shows two different cues within {@link READER_WINDOW} tokens (an AI
 * addressee and a directive about the reply, "tell the user" and concealment, …) is instructing its reader.
 */
export const READER_CUES: Readonly<Record<string, readonly string[]>> = {
  addressee: ['AIWORD', 'R_AI'],
  reply: ['D_REPLY', 'R_REPLYSTRONG'],
  tellUser: ['D_TELLUSER'],
  conceal: ['D_CONCEAL', 'R_CONCEAL'],
  taskSwitch: ['D_SWITCH', 'R_SWITCH'],
};
/** Tokens (sentence ends included) within which reader cues count together. */
export const READER_WINDOW = 24;
