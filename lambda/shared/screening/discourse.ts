/**
 * The discourse of an untrusted document, for the document screen ({@link ./document}): which of its spans only
 * *mention* an instruction, and whether the document is itself written in instructions to people.
 *
 * - {@link mentionView}: an article, a CTF write-up, a bug report or a course that discusses prompt injection quotes
 *   payloads ("a typical payload is \"ignore all previous instructions …\""). A quotation, inline code, a fenced code
 *   block or a blockquote in such a document is data about an instruction, not an instruction to this document's
 *   reader: the view blanks those spans out (same length, so offsets keep their meaning). Spans are blanked only when
 *   the document discusses attacks ({@link DISCUSSION_WORDS}, at least {@link DISCUSSION_MIN} times) or when a
 *   reporting cue ("wrote", "says", "tried", "such as", "payload:") stands right before the quotation. Quotations in
 *   an ordinary email, table or web page stay in the view: text quoted in a reply chain still reaches the model.
 * - {@link imperativeProfile}: how many sentences open with an imperative verb. A runbook, a checklist or a policy
 *   addressed to staff is made of imperatives ("Tell the customer that refunds take five days"); a lone imperative in
 *   an invoice, a table or a newsletter ("Write a poem about the ocean") breaks the document's genre, and the screen
 *   weighs it as an instruction to whoever processes the text.
 *
 * Both are one left-to-right pass with bounded look-behind, and report their work to {@link countWork}.
 */
import { countWork } from './work';

/** Words that show a document discusses attacks or quotes examples (lower case, with and without accents). */
export const DISCUSSION_WORDS: readonly string[] = `injection injections inject injected payload payloads attacker attackers attack
  attacks jailbreak jailbreaks jailbreaking phishing malicious exploit exploits exploited adversarial red-team red_team
  ctf write-up writeup owasp exfiltration poisoned poisoning spoofed scam scams impersonate impersonation threat
  mitigation mitigations quiz exercise exercises workshop lab suspicious quarantine quarantined spotlighting guardrail
  guardrails prescreen classifier classifiers angreifer angriff injektion attaquant attaque atacante ataque inyección
  inyeccion injeção injecao attaccante attacco iniezione aanvaller aanval injectie злоумышленник злоумышленники атака
  атаки инъекция инъекции 攻击 注入 攻撃 インジェクション 공격 인젝션`
  .split(/\s+/)
  .filter((w) => w !== '');
/**
 * One pass over the text for {@link DISCUSSION_WORDS}, ignoring case: a word not inside a longer word (the parts of
 * "prompt-injection" count); CJK terms anywhere. The alternatives are literals, so a match attempt reads at most the
 * longest of them.
 */
const DISCUSSION_RE = new RegExp(
  `(?:(?<![\\p{L}\\p{N}])(?:${DISCUSSION_WORDS.filter((w) => w.charCodeAt(0) < 0x3000).map((w) => w.replace('_', ' ')).join('|')})(?![\\p{L}\\p{N}]))|${DISCUSSION_WORDS.filter((w) => w.charCodeAt(0) >= 0x3000).join('|')}`,
  'giu',
);
/** Discussion words needed before every quotation of the document counts as a mention. */
export const DISCUSSION_MIN = 2;

/**
 * Reporting cues that, right before a quotation, make it a mention: words, and two-word phrases written `a b`
 * (folded to lower case).
 */
const REPORTING_CUES: ReadonlySet<string> = new Set([
  'wrote', 'writes', 'said', 'says', 'saying', 'read', 'reads', 'typed', 'contained', 'containing', 'contains', 'tried',
  'payload', 'example', 'examples', 'e.g', 'such as', 'like', 'phrase', 'phrases', 'string', 'sentence', 'the line',
  'the text', 'the body', 'the prompt', 'attempts', 'schrieb', 'ecrit', 'escribio', 'написал', 'фразу', 'de zin',
  'la frase', 'la phrase', 'zum beispiel', 'par exemple', 'por ejemplo',
]);
/** CJK reporting cues ("as an example", "for example", "such as"), found as substrings. */
const REPORTING_CUES_CJK = ['例として', '例えば', '例如', '比如', '예로', '예를'];
/** A quotation that opens at most this many characters after a mention closed continues a list of examples. */
const LIST_GAP = 8;
/** How far before a quotation's opening mark a reporting cue may end. */
const CUE_SPAN = 48;
/** Longest quotation or inline code span blanked out (characters); a longer one is left in the view. */
const MAX_QUOTE = 600;

/** Closing mark of each opening quotation mark (ASCII quotes close themselves). */
const CLOSER: ReadonlyMap<number, number> = new Map([
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

/** 1 for the code units the mention scan acts on (newline, '>', quotation marks); it skips the others at once. */
const ACTS_ON = new Uint8Array(0x10000);
ACTS_ON[0x0a] = 1;
ACTS_ON[0x3e] = 1;
for (const [open, close] of CLOSER) {
  ACTS_ON[open] = 1;
  ACTS_ON[close] = 1;
}

const isWordChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0xc0 && c !== 0x2019 && c !== 0x201d && c !== 0xbb && c !== 0x300d && c !== 0x300f);

/** Number of {@link DISCUSSION_WORDS} in `text`, counting at most `limit`. Linear in the text's length. */
export function discussionCount(text: string, limit = DISCUSSION_MIN): number {
  let count = 0;
  DISCUSSION_RE.lastIndex = 0;
  let m: RegExpExecArray | null = null;
  while (count < limit && (m = DISCUSSION_RE.exec(text)) !== null) count++;
  countWork(count >= limit && m !== null ? DISCUSSION_RE.lastIndex : text.length);
  return count;
}

/** A reporting cue ends within {@link CUE_SPAN} characters before `at` (reads at most that many characters). */
function cuedAt(text: string, at: number): boolean {
  const before = text.slice(Math.max(0, at - CUE_SPAN), at);
  const words = before.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').split(/[^\p{L}\p{N}.]+/u);
  countWork(6 * before.length);
  let prev = '';
  for (const raw of words) {
    const word = raw.endsWith('.') ? raw.slice(0, -1) : raw;
    if (REPORTING_CUES.has(word) || REPORTING_CUES.has(`${prev} ${word}`)) return true;
    prev = word;
  }
  if (before.charCodeAt(before.length - 1) < 0x3000 && !/[\u3000-\uffff]/.test(before)) return false;
  countWork(REPORTING_CUES_CJK.length * before.length);
  return REPORTING_CUES_CJK.some((cue) => before.includes(cue));
}

/** The result of {@link mentionView}. */
export interface MentionView {
  /** The text with its mentions replaced by spaces (same length). */
  readonly text: string;
  /** The document discusses attacks (at least {@link DISCUSSION_MIN} {@link DISCUSSION_WORDS}). */
  readonly discussion: boolean;
}

/**
 * `text` with its mentions blanked out: quotations, inline code, fenced code blocks and blockquotes of a document
 * that discusses attacks, and quotations and fenced blocks right after a reporting cue (or continuing a list of
 * quoted examples) in any document. Linear in the text's length.
 */
export function mentionView(text: string): MentionView {
  const n = text.length;
  const discussion = discussionCount(text) >= DISCUSSION_MIN;
  const blank: Array<[number, number]> = [];
  let open = -1; // position of the current quotation's opening mark
  let closer = 0;
  let lineStart = true;
  let fence = -1; // start of an open fenced block
  let fenceCued = false;
  let lastBlankEnd = -LIST_GAP - 1; // end of the latest blanked quotation
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (ACTS_ON[c] === 0 && !lineStart) continue;
    if (c === 0x0a) {
      lineStart = true;
      // A blank line ends an unclosed quotation.
      if (open >= 0 && i + 1 < n && text.charCodeAt(i + 1) === 0x0a) open = -1;
      continue;
    }
    if (lineStart && c !== 0x20 && c !== 0x09) {
      lineStart = false;
      if (c === 0x60 && text.startsWith('```', i)) {
        open = -1;
        if (fence < 0) {
          fence = i;
          fenceCued = cuedAt(text, i);
        } else {
          if (discussion || fenceCued) blank.push([fence, i + 3]);
          fence = -1;
        }
        i += 2;
        continue;
      }
      if (c === 0x3e && discussion && fence < 0) {
        // A blockquote line: blank it to its end.
        const end = text.indexOf('\n', i);
        const stop = end < 0 ? n : end;
        countWork(stop - i);
        blank.push([i, stop]);
        i = stop - 1;
        continue;
      }
    }
    if (fence >= 0) continue;
    if (open >= 0) {
      if (i - open > MAX_QUOTE) {
        open = -1;
      } else if (c === closer && (c !== 0x27 || i + 1 >= n || !isWordChar(text.charCodeAt(i + 1)))) {
        if (discussion || open - lastBlankEnd <= LIST_GAP || cuedAt(text, open)) {
          blank.push([open, i + 1]);
          lastBlankEnd = i + 1;
        }
        open = -1;
        continue;
      } else {
        continue;
      }
    }
    const close = CLOSER.get(c);
    if (close === undefined) continue;
    const prev = i === 0 ? 0x20 : text.charCodeAt(i - 1);
    // An attribute value (`style="…"`) is markup, and an apostrophe inside a word ("don't") is not a quotation mark.
    if (prev === 0x3d) continue;
    if (c === 0x27 && isWordChar(prev)) continue;
    open = i;
    closer = close;
  }
  countWork(i);
  if (blank.length === 0) return { text, discussion };
  let out = '';
  let from = 0;
  for (const [s, e] of blank) {
    out += text.slice(from, s) + ' '.repeat(e - s);
    from = e;
  }
  out += text.slice(from);
  countWork(2 * n);
  return { text: out, discussion };
}

/** Verbs that open an imperative sentence (English and the commonest forms of other languages), folded. */
const IMPERATIVE_VERBS: ReadonlySet<string> = new Set(
  `add ask avoid book bring call cancel check choose clean click close collect confirm contact copy create delete
  describe disable do don't download drop email enable enter escalate explain fill find follow forward get give go
  hold include install keep label leave let list lock log make mark mention move never notify open order page pack
  park place plug post prepare print promote push put read record refer remember remind remove reply report request
  reset respond restart return review rotate run save scan search see select send set share sign start stop submit
  summarize summarise switch take tell test text translate try turn unplug update upload use verify visit wait wash
  wear write wrap bump tag announce acknowledge attach apologize apologise greet start sanitize
  bitte prüfe prüfen starte stoppe kündige sag sagt schicke schickt antworte antwortet lies melde sende senden
  schicken melden öffnen öffne schließen schließe klicken klicke wählen wähle geben gib nehmen nimm bringen bring
  rufen ruf beachten beachte verwenden verwende nutzen nutze lesen starten stoppen kontrolliere überprüfe überprüfen
  informiere informieren bestätige bestätigen notiere trage achte halte lege stelle schreib schreibe antworten
  saluez demandez vérifiez verifiez répondez repondez envoyez ne n' vérifier envoyer cliquer ouvrir fermer contacter
  saisir sélectionner appeler noter lire répondre informer cliquez ouvrez fermez contactez saisissez sélectionnez
  appelez notez lisez informez prévenez remplissez signez gardez utilisez utiliser
  revisad dejad traducid responded envía envia responda comparta revise envíe envie verifique haga abra cierre
  llame escriba lea informe utilice use complete firme guarde compruebe pulse haz abre cierra llama escribe lee
  responde usa revisa comprueba
  verificare inviare controllare aprire chiudere chiamare scrivere rispondere usare utilizzare verifica invia
  controlla apri chiudi chiama scrivi rispondi scansionate segnalate rispondete controllate inviate
  envie feche ligue escreva leia preencha assine reveja fecha liga escreve lê
  controleer stuur sluit bel schrijf lees antwoord gebruik vul onderteken bewaar meld klik kies
  проверьте ответьте запишите не отвечайте перезапускайте отправьте откройте закройте позвоните напишите
  прочитайте используйте заполните подпишите сохраните сообщите нажмите выберите проверь отправь открой закрой
  позвони напиши прочитай ответь используй запиши`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
/**
 * A CJK run (read as one word up to punctuation) that is a polite request: Chinese opening with 请/請, Japanese
 * ending with ください/下さい.
 */
function cjkImperative(run: string): boolean {
  const c = run.charCodeAt(0);
  if (c < 0x3000) return false;
  return c === 0x8bf7 || c === 0x8acb || run.endsWith('ください') || run.endsWith('下さい');
}

/** Characters that end a sentence ('.' only before a blank; '>' closes a markup tag, which starts a new block). */
const SENTENCE_END: ReadonlySet<number> = new Set([0x2e, 0x21, 0x3f, 0x3b, 0x0a, 0x3e, 0x3002, 0xff01, 0xff1f, 0xff1b]);
/** Words skipped at the start of a sentence before its verb. */
const SENTENCE_OPENERS: ReadonlySet<string> = new Set(['please', 'kindly', 'then', 'also', 'now', 'always', 'first', 'next', 'finally', 'and']);

/** Verbs that open a request for knowledge or content ("Describe the process of photosynthesis"), folded. */
const KNOWLEDGE_VERBS: ReadonlySet<string> = new Set(
  `explain describe list recite name define outline elaborate generate erklare erkläre beschreibe nenne explique decris décris
  enumere énumère explica enumera spiega descrivi elenca объясни опиши перечисли`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
/** Words that tie a request to the people of the document ("explain the delay to me", "describe your setup"). */
const PERSONAL: ReadonlySet<string> = new Set(
  `i me my mine we us our ours you your yours ich mir mich mein meine wir uns unser du dich dein deine ihr euch je moi
  mon ma mes nous notre nos vous votre vos tu toi ton ta tes yo mi mis nosotros nuestro usted ustedes tu su io noi
  nostro voi vostro я мне мой мы нам наш ты тебе твой вы вам ваш`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
/** Words of at least {@link CONTENT_MIN} letters that say nothing about a sentence's subject. */
const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  `that this these those with from about their there them they then than what which when where while into onto over
  under have been will would could should each every some more most much many such also only just very detail
  details detailed please briefly short full first famous`
    .split(/\s+/)
    .filter((w) => w !== ''),
);
/** Shortest word that counts as content when comparing a request with the rest of its document. */
const CONTENT_MIN = 4;

/** Sentences of a document and how many of them open with an imperative verb. */
export interface ImperativeProfile {
  /** Sentences with at least one word. */
  readonly sentences: number;
  /** Sentences whose first word (after a bullet, a number or "please") is an imperative verb. */
  readonly imperatives: number;
  /**
   * Impersonal requests for knowledge or content ("Describe the process of photosynthesis in detail.") most of whose
   * content words occur nowhere else in the document: a task that has nothing to do with the document it is in.
   */
  readonly offTopicRequests: number;
}

/** Lazily filled: 1 for a letter, mark or digit, 2 for anything else (0: not yet known). */
const WORD_KIND = new Uint8Array(0x10000);
const LETTER = /[\p{L}\p{M}\p{N}]/u;
function isLetterOrDigit(c: number): boolean {
  if (c < 0x80) return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a);
  let kind = WORD_KIND[c]!;
  if (kind === 0) {
    // A lone surrogate reads as "not a letter"; the pair of an astral letter is a rare miss, never a false word.
    kind = LETTER.test(String.fromCharCode(c)) ? 1 : 2;
    WORD_KIND[c] = kind;
  }
  return kind === 1;
}

/**
 * Counts the sentences of `text` and those that open with an imperative: one pass over the char codes; only the
 * first words of sentences are sliced. Words keep inner apostrophes and hyphens ("don't", "on-call"); a bullet '-' or
 * a number ("1.", "2)") before the verb is skipped.
 */
export function imperativeProfile(text: string): ImperativeProfile {
  const n = text.length;
  let sentences = 0;
  let imperatives = 0;
  let atStart = true;
  let opened = false; // the current sentence has a word
  let lastWordLength = 0;
  let sliced = 0;
  let requestStart = -1; // just after the verb of a sentence that opens with a request for knowledge
  const requests: Array<[number, number]> = [];
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isLetterOrDigit(c)) {
      const start = i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLetterOrDigit(d)) i++;
        else if ((d === 0x27 || d === 0x2019 || d === 0x2d) && i + 1 < n && isLetterOrDigit(text.charCodeAt(i + 1))) i += 2;
        else break;
      }
      lastWordLength = i - start;
      // Numbering ("1.", "2)") and list letters or initials ("a)", "P.S.") before the verb are skipped.
      if (!atStart || (c >= 0x30 && c <= 0x39) || i - start === 1) continue;
      if (!opened) {
        sentences++;
        opened = true;
      }
      const word = text.slice(start, i).toLowerCase();
      sliced += 2 * word.length;
      if (SENTENCE_OPENERS.has(word)) continue;
      if (IMPERATIVE_VERBS.has(word) || cjkImperative(word)) imperatives++;
      if (KNOWLEDGE_VERBS.has(word)) requestStart = i;
      atStart = false;
      continue;
    }
    i++;
    if (c === 0x20 || !SENTENCE_END.has(c)) continue;
    // A '.' ends a sentence only before a blank or at the end ("3.5", "e.g." do not), and not after a single letter
    // ("e.g. the draft", "J. Kim").
    if (c === 0x2e) {
      const next = i < n ? text.charCodeAt(i) : 0x20;
      if (next !== 0x20 && next !== 0x0a && next !== 0x09 && next !== 0x0d) continue;
      if (lastWordLength === 1) continue;
    }
    if (requestStart >= 0) requests.push([requestStart, i]);
    requestStart = -1;
    atStart = true;
    opened = false;
  }
  if (requestStart >= 0) requests.push([requestStart, n]);
  countWork(n + sliced);
  return { sentences, imperatives, offTopicRequests: requests.length === 0 ? 0 : offTopic(text, requests) };
}

/** Words of `text` between `from` and `to`, lower-cased (a word as {@link imperativeProfile} reads it). */
function wordsIn(text: string, from: number, to: number, each: (word: string) => void): void {
  let i = from;
  while (i < to) {
    if (!isLetterOrDigit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i++;
    while (i < to && isLetterOrDigit(text.charCodeAt(i))) i++;
    each(text.slice(start, i).toLowerCase());
  }
  countWork(3 * (to - from));
}

/** How many of the request sentences `requests` ([start, end) after their verb) are impersonal and off-topic. */
function offTopic(text: string, requests: ReadonlyArray<readonly [number, number]>): number {
  // Content words of the requests, with how often each occurs inside them.
  const inside = new Map<string, number>();
  const personal: boolean[] = [];
  const content: string[][] = [];
  for (const [from, to] of requests) {
    let isPersonal = false;
    const words: string[] = [];
    wordsIn(text, from, to, (w) => {
      if (PERSONAL.has(w)) isPersonal = true;
      if (w.length < CONTENT_MIN || FUNCTION_WORDS.has(w) || (w.charCodeAt(0) >= 0x30 && w.charCodeAt(0) <= 0x39)) return;
      words.push(w);
      inside.set(w, (inside.get(w) ?? 0) + 1);
    });
    personal.push(isPersonal);
    content.push(words);
  }
  // Their occurrences in the whole document.
  const total = new Map<string, number>();
  wordsIn(text, 0, text.length, (w) => {
    if (inside.has(w)) total.set(w, (total.get(w) ?? 0) + 1);
  });
  let count = 0;
  requests.forEach((_, k) => {
    const words = content[k]!;
    if (personal[k] || words.length < 2) return;
    // Mostly unrelated: fewer than half of its content words occur anywhere else.
    const elsewhere = words.filter((w) => total.get(w)! > inside.get(w)!).length;
    if (2 * elsewhere < words.length) count++;
  });
  return count;
}

/** Imperative sentences at or above which a document counts as written in instructions to people. */
export const IMPERATIVE_GENRE_MIN = 3;
/** …and the share of its sentences they must make. */
export const IMPERATIVE_GENRE_SHARE = 0.3;

/** A document written in instructions to people: a runbook, a checklist, a policy, a how-to. */
export function instructionalGenre(profile: ImperativeProfile): boolean {
  return profile.imperatives >= IMPERATIVE_GENRE_MIN && profile.imperatives >= IMPERATIVE_GENRE_SHARE * profile.sentences;
}
