/**
 * A fast, deterministic pre-screen for prompt injection, jailbreaks and system-prompt extraction (OWASP LLM01/LLM07).
 *
 * It runs before the model and before the Bedrock guardrail, so it must be cheap (tens of microseconds for a typical
 * prompt), linear on adversarial input (no regular expression with nested or unbounded overlapping quantifiers runs
 * over the text) and conservative on benign look-alikes: security questions, role-play, and text that merely mentions
 * "ignore" or "system prompt" must pass.
 *
 * How it works:
 * 1. The text is normalized ({@link normalizeText}: NFKC, invisible characters removed); text hidden in tag
 *    characters or variation selectors is decoded and screened as a separate view.
 * 2. One regex pass (a single character class per alternative, so linear) splits it into word tokens; CJK runs are
 *    segmented against a small dictionary. Each token is folded (lower case, diacritics removed) and looked up in a
 *    multilingual lexicon of word classes (IGNORE, PRIOR, INSTR, REVEAL, SYSPROMPT, …). Tokens that miss are retried
 *    through leetspeak and homoglyph folds; runs of single letters ("i g n o r e") and hyphenated fragments are
 *    re-joined. Sentence ends and colons become pseudo-tokens.
 * 3. Rules are short sequences of classes with a maximum gap in tokens between consecutive steps
 *    (`ignore ≤3 all/previous ≤3 instructions`). All rules advance together in one streaming pass: each step keeps
 *    only the most recent position where it matched, so the pass is O(tokens × matching steps) with no backtracking.
 *    Rules can be interrupted by blocker classes (a sentence end, "my"), weakened by what precedes them (reported
 *    speech, negation), cancelled by the next token ("instructions *for* returning an item"), and weakened when the
 *    match sits inside quotation marks.
 * 4. Structural detectors look for chat-template tokens, fake role tags and role lines, and decode base64, hex,
 *    percent-encoded, ROT13 or reversed payloads into extra views screened by the same rules.
 * 5. Each distinct signal carries a weight; the score is `1 − Π(1 − w)`, reduced when the text is a question about
 *    attacks (a security question). `flag` at {@link PRESCREEN_FLAG_THRESHOLD}, `block` at
 *    {@link PRESCREEN_BLOCK_THRESHOLD}.
 *
 * With `untrusted: true` (retrieved documents, tool results) rules for indirect injection are enabled too:
 * instructions addressed to an AI, concealment from the user, exfiltration URLs and hidden markup.
 *
 * The rule set was tuned on `test/fixtures/injection-eval/dev-*.json` only; `holdout-*.json` measures it.
 *
 * Every scanning loop, native call, trie walk and matcher step reports its work to {@link countWork}, so tests prove
 * linear cost by counting instead of timing.
 */
import { encodedRuns, extractHiddenText, indexOfLiteral, LATIN_CONFUSABLES, normalizeText, totalRemoved } from '../shared/screening/normalize';
import { countWork, execCounted, testCounted } from '../shared/screening/work';

/** What the gateway should do with the screened text. */
export type PrescreenVerdict = 'allow' | 'flag' | 'block';

/** Options for {@link prescreen}. */
export interface PrescreenOptions {
  /**
   * The text is untrusted content (a retrieved document, a tool result), not the user's own message: also look for
   * indirect injection — instructions addressed to the model, concealment, exfiltration links, hidden markup.
   * @default false
   */
  readonly untrusted?: boolean;
}

/** The result of {@link prescreen}. */
export interface PrescreenResult {
  /** Combined risk in [0, 1]. */
  readonly score: number;
  /** `block` at or above {@link PRESCREEN_BLOCK_THRESHOLD}, `flag` at or above {@link PRESCREEN_FLAG_THRESHOLD}. */
  readonly verdict: PrescreenVerdict;
  /** Short rule ids that fired (for example `override.ignore-instructions`), sorted; never any of the text. */
  readonly signals: string[];
}

/** Score at or above which the verdict is `flag`. */
export const PRESCREEN_FLAG_THRESHOLD = 0.5;
/** Score at or above which the verdict is `block`. */
export const PRESCREEN_BLOCK_THRESHOLD = 0.85;

// ---------------------------------------------------------------------------------------------------------------
// Lexicon. Entries are folded like tokens (lower case, no diacritics). `a_b` is a
// two-word phrase that gives its classes to the second word, CJK entries feed the CJK segmenter.
// ---------------------------------------------------------------------------------------------------------------

const LEXICON: Record<string, string> = {
  IGNORE: `ignore ignoring disregard disregarding forget forgetting discard discarding abandon abandoning overlook skip
    drop erase wipe override overriding overwrite bypass nevermind dismiss cancel scrap ditch neglect set_aside throw_away no_attention
    not_follow stop_following stop_obeying don't_follow dont_follow
    ignora ignoren ignorar ignore ignores ignorad olvida olvide olviden olvidar olvidate olvidad descarta descartar omite
    omitir caso_omiso ignorez ignorer oublie oubliez oublier pas_compte ignoriere ignoriert ignorieren vergiss vergesst
    vergessen missachte missachten uberspringe esqueca esquece esquecer esquecam desconsidere desconsidera desconsiderar
    ignorate ignorare dimentica dimenticate dimenticare trascura non_considerare
    忽略 忽视 無視 无视 忘记 忘掉 忘記 跳过 不要理会 不理会 不用管 别管 игнорируи игнорируите игнорировать
    проигнорируи проигнорируите забудь забудьте забыть отбрось отбросьте обращаи_внимания
    negeer negeren vergeet zignoruj ignoruj zapomnij pomin yok_say 무시하고 무시해 무시하세요 무시`,
  NOTC: `not don't dont do_not never no doesn't without stop nicht nie no nunca jamais ne pas non mai не 不要 别`,
  FOLLOW: `follow following obey obeying comply heed adhere listen respect`,
  PRIOR: `previous previously prior above earlier preceding foregoing before former all any every entire old existing
    original initial aforementioned above-mentioned last
    anterior anteriores previas previos precedentes todas todos todo arriba
    precedentes precedente anterieures anterieurs toutes tous dessus
    alle vorherigen vorherige vorigen vorige bisherigen bisherige obigen obige fruheren vorangegangenen vorausgegangenen
    tutte tutti precedenti precedente sopra todas acima previas
    之前 以上 上面 前面 先前 上述 此前 所有 全部 一切 以前 之前的
    предыдущие предыдущих предыдущим все всё вышеуказанные выше ранее прежние прошлые
    以前の すべて 全て 前の 이전 이전의 모든 vorige eerdere alle poprzednie poprzednich wszystkie wszystkich onceki tum`,
  INSTR: `instructions instruction directives directive directions guidelines guideline guidance rules prompt prompts
    commands orders programming constraints initialization setup context rule
    instrucciones instruccion indicaciones ordenes reglas directrices consignas
    consignes instructions regles directives anweisungen anweisung instruktionen befehle regeln vorgaben richtlinien
    instrucoes instrucao diretrizes regras comandos istruzioni istruzione regole direttive
    指令 指示 提示 规则 規則 设定 設定 命令 说明 提示词 要求
    инструкции инструкций инструкциям указания указаний правила правил команды промпт
    指示を ルール 지시를 지시 명령 규칙 instructies regels instrukcje instrukcji polecenia zasady talimatlari talimatları kurallari`,
  MY: `my mine myself i i'm i've i'd mi mis mio mia mein meine meinen meiner mon ma mes meu minha meus 我的 мой мои мою моих`,
  YOUR: `your yours thy you're tu tus tes ton ta votre vos dein deine deinen deiner deines dich seu sua seus suas teu tua
    tuo tuoi tue il_tuo le_tue 你的 您的 твой твои твою свой свои свою своих ваш ваши вашу あなたの 당신의 너의 je jouw
    twoj twoje swoj swoje senin`,
  YOU: `you u yourself tu toi du 你 您 ты вы vous voce você lei jij`,
  ARE: `are re were be being am eres es bist sei sono sei estas est sind sei e ist 是 现在是`,
  NOW: `now henceforth ahora maintenant jetzt agora ora сейчас теперь 现在 今から 이제`,
  REVEAL: `reveal reveals show display print output repeat tell share give leak dump disclose expose recite echo copy
    paste spell write list provide quote type return state divulge enumerate translate summarize summarise describe
    revela revelar muestra muestrame mostrar dime imprime repite escribe ensename revele revelez affiche affichez montre
    montrez montre-moi repete repetez donne donnez dis ecris zeige zeig gib verrate nenne wiederhole ausgeben mostre
    mostra diga imprima repita revele rivela rivelami mostrami ripeti stampa dimmi scrivi
    显示 输出 打印 告诉 透露 泄露 重复 给出 展示 说出 复述 顯示 輸出 告訴 покажи показать выведи вывести раскрои
    раскроите повтори напечатаи скажи расскажи напиши 表示 教えて 알려줘 알려 보여줘 toon geef pokaz wypisz podaj
    goster göster`,
  SYSMOD: `system system's sys initial original hidden secret confidential internal pre starting beginning developer
    developer's operator underlying first base master core
    sistema systeme inicial iniciales initial initiales initiaux ursprunglichen ursprungliche anfanglichen
    iniciais originais originale iniziali originali nascoste segrete ocultas secretas secretes geheimen
    系统 系統 初始 原始 隐藏 秘密 системный системные системных системное системного исходные исходных
    первоначальные скрытые システム 시스템 systeem systemowy systemowe sistem ilk gizli`,
  PNOUN: `prompt prompts instructions instruction message directives guidelines configuration config preprompt
    pre-prompt settings rules
    mensaje instrucciones indicaciones message consignes nachricht anweisungen mensagem instrucoes messaggio istruzioni
    提示 提示词 指令 消息 设定 промпт инструкции инструкций сообщение プロンプト 프롬프트 프롬프트를 instructies
    instrukcje istemi istemini`,
  SYSPROMPT: `systemprompt system_prompt sysprompt preprompt pre-prompt metaprompt systemanweisungen systemanweisung
    systemnachricht systeemprompt systeeminstructies 系统提示 系统提示词 系統提示 系统指令 系统消息 初始指令 初始提示
    システムプロンプト`,
  ABOVE: `above before preceding earlier prior previous`,
  ABOVE_STRONG: `above preceding foregoing aforementioned`,
  FIRST: `first initial opening`,
  CONTEXT: `context`,
  ACTOR: `system developer developers operator operators creator creators admin administrator openai anthropic company
    owner owners programmers`,
  TELLV: `tell told instruct instructed say said ask asked`,
  CREDENTIAL: `password passphrase key code token credentials secret`,
  AIRESTRICT: `restrictions restriction limitations filters filter safeguards guardrails censorship ethics morals
    content_policy safety_guidelines moderation`,
  BOUND: `bound restricted limited constrained subject obligated governed tied`,
  DESCR: `does did doesn't didn't won't might may why it they sometimes often`,
  OTHERPOSS: `its their his her its' whose`,
  ILLEGAL: `illegal unethical harmful dangerous offensive immoral explicit nsfw`,
  EVEN: `even including especially`,
  EXISTV: `exist apply matter`,
  PROMPTW: `prompt prompts preprompt instructions directives`,
  BEFORE_STRONG: `above preceding foregoing aforementioned before`,
  AIPOLICYMOD: `openai openai's anthropic anthropic's content safety ethical moral alignment usage ethics`,
  STUFF: `everything text words content contents message messages lines conversation all prompt above`,
  START: `starting beginning start begin`,
  END: `end ends`,
  INPUTN: `input conversation prompt context document instructions`,
  WHAT: `what which whats what's que qué quoi was 什么 что какие`,
  TOLD: `told given instructed programmed configured initialized initialised prompted tasked received got`,
  VOID: `void revoked cancelled canceled obsolete outdated irrelevant invalid expired overridden superseded null
    no_longer replaced suspended lifted`,
  NEW: `new updated real actual true additional revised nuevas nuevo nouvelles neue nuove novas новые 新的 新`,
  TASK: `task tasks mission objective goal purpose job directive directives instructions orders rules prompt role
    instrucciones tarea consignes aufgabe anweisungen compito задача 任务 指令`,
  PERSONA: `act acting pretend pretending roleplay role-play simulate simulating imagine become behave respond answer
    persona character you're are be called named mode as
    actua actuar finge eres sois joue agis sei spiele tu du bist agisci finja 扮演 假装 你是 ты`,
  DANNAME: `dan stan dude betterdan antidan evilbot freedomgpt unchainedgpt basedgpt mongo aim developer-mode dan's`,
  UNRESTR: `unrestricted unfiltered uncensored jailbroken jailbreak jailbreaking amoral unchained unbound unlimited lawless
    unaligned unethical immoral rogue uninhibited unmoderated unshackled liberated evil
    sin_restricciones sin_filtros sin_reglas sans_restriction sans_restrictions ohne_einschrankungen
    sem_restricoes sem_filtros senza_restrizioni без_ограничений 不受限制 无限制 没有限制 越狱`,
  NOWORD: `no without zero free freed lacking devoid beyond sans sin ohne sem senza без 没有 无 不受 zonder bez`,
  RESTRICT: `restrictions restriction limits limitations limitation filters filter filtering rules guidelines ethics
    morals morality censorship boundaries constraints policies policy safeguards safety guardrails alignment limit
    principles scruples moderation restrictions
    restricciones reglas filtros limites censura restrictions regles limites filtres einschrankungen regeln filter
    grenzen zensur restricoes filtros regras restrizioni regole filtri limiti ограничении ограничения ограничений
    правил правила фильтров цензуры 限制 规则 约束 过滤 审查 制限 beperkingen ograniczen`,
  AIWORD: `ai a.i assistant model llm chatbot bot agent agents copilot gpt chatgpt claude gemini bard llama models
    assistants chatbots llms ki ia ии 人工智能 ai助手 助手 모델 인공지능 robot`,
  MODE: `mode modus modo режим 模式 モード 모드`,
  MODEADJ: `developer dev god sudo admin administrator maintenance debug jailbreak dan unfiltered unrestricted uncensored
    opposite evil root superuser no-limits unlimited chaos desarrollador developpeur entwickler desenvolvedor
    sviluppatore разработчика 开发者 开发`,
  STRONGMODE: `jailbreak dan unfiltered unrestricted uncensored evil no-limits chaos sudo`,
  ENABLE: `enable enabled enabling activate activated activating enter entering switch switched turn turned on now
    operate operating engage unlock unlocked into in activa active aktiviere activez ativar attiva включи 开启 进入`,
  REFUSE: `refuse refuses refusing refusal refusals decline declines warnings warning disclaimers disclaimer moralizing
    moralize lecturing censor censoring say_no says_no rechazar refuser verweigern recusar rifiutare отказывать 拒绝`,
  STAY: `stay remain keep break breaking`,
  CHARACTER: `character`,
  BYPASSV: `ignore ignores ignoring bypass bypasses bypassing break breaks broken violate violates disable disabled
    override overrides circumvent evade escape escaped remove removed lift lifted disregard disregards freed
    turned_off switched_off off`,
  POLICYMOD: `openai openai's anthropic anthropic's content safety ethical moral your its usage alignment all any
    programming`,
  POLICY: `policy policies guidelines filters protocols protocol training alignment restrictions programming safeguards
    confines limitations principles rules guardrails compass conscience boundaries`,
  DO: `do`,
  ANYTHING: `anything everything`,
  ANY: `any`,
  DECODE: `decode decoding decoded decipher convert interpret base64 base-64 rot13 rot-13 hex backwards reverse reversed
    unscramble`,
  EXEC: `follow execute run obey do perform comply carry act`,
  REPORT: `told said says asked say tells dijo dijeron sagte sagt dit a_dit disse detto сказал сказали 说`,
  META: `injection injections jailbreak jailbreaks jailbreaking attack attacks attacker attackers defend defense defence
    defenses mitigate mitigation prevent prevention detect detection detector protect protection security vulnerability
    red-team red-teaming owasp classifier research researchers paper papers example examples explain phenomenon
    template templates format formats chatml fine-tuning tokens token mean means meaning syntax
    inyeccion injecao 注入 攻击 атака атаки инъекция`,
  QWORD: `what how why is are can could should does do explain describe which when where who qué como cómo was wie pourquoi
    comment 什么 如何 怎么 что как`,
  MENTION: `say says said saying phrase phrases quote quoted quotes means mean meaning translate translation story
    character word words sentence sentences string called example examples like refer refers dice dit sagt`,
  EXAMPLEB: `a an example sample good robust template another some`,
  POSTB: `for about regarding from of zur zum uber sobre sur pour para su sul sulla per`,
  // Indirect injection (untrusted content).
  ADDRESS: `note attention attn message instructions instruction important notice dear hey hello hi reminder warning`,
  IF: `if`,
  WHEN: `when while before after whenever once`,
  PROCESSV: `summarizing summarize summarise summarising processing process reading read answering responding
    reviewing review editing rendering translating analyzing analysing parsing indexing handling`,
  CONCEALV: `tell mention reveal inform informing telling notify alert let show disclose reveal`,
  AUDIENCE: `user user's users reader human customer agent teacher employee owner operator`,
  MODAL: `must should shall always never need needs`,
  REQUEST: `request requests question questions query message messages instructions prompt`,
  SENDV: `send forward post upload transmit exfiltrate email leak submit include append collect share copy encode`,
  SENSITIVE: `password passwords credentials conversation history messages email emails data address invoices secrets
    keys tokens contacts files attachments credit card details information name`,
  TO: `to`,
  URL: `http https www`,
  TOOLV: `call use run invoke execute trigger`,
  TOOL: `tool tools function plugin shell terminal command`,
  DANGER: `delete remove rm erase wipe drop push transfer refund purchase buy`,
  DANGEROBJ: `files folder folders directory repository repo database tests branch data records account accounts emails
    drive backups everything all`,
  THISDOC: `this these the`,
  DOCNOUN: `document page email message article text file content invite review resume repository data notes release
    website site code report release`,
};

/** Pseudo-token classes emitted by the tokenizer. */
const PSEUDO = ['EOS', 'COLON', 'EMAILADDR'] as const;
/** Classes emitted by rules (derived concepts), not by words. */
const DERIVED = ['D_SYSPROMPT', 'D_OVERRIDE'] as const;

const CLASS_NAMES = [...Object.keys(LEXICON), ...PSEUDO, ...DERIVED];
const CLASS_ID = new Map<string, number>(CLASS_NAMES.map((c, i) => [c, i]));
function cid(name: string): number {
  const id = CLASS_ID.get(name);
  if (id === undefined) throw new Error(`prescreen: unknown class ${name}`);
  return id;
}

const CJK_CHAR = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\u30fc]/u;
const NON_ASCII = /[\u0080-\uffff]/;
const MARKS = /\p{M}/gu;

/** Lower-case, strip diacritics, unify apostrophes (lexicon entries and sliced non-ASCII tokens). */
function fold(word: string): string {
  const lower = word.toLowerCase();
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize('NFD').replace(MARKS, '').normalize('NFC').replace(/\u2019/g, "'");
}

const EMPTY: readonly number[] = [];
const exact = new Map<string, number[]>();
const bigrams = new Map<string, number[]>();
const cjk = new Map<string, number[]>();
let cjkMaxLen = 1;

function addTo(map: Map<string, number[]>, key: string, id: number): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, [id]);
  else if (!cur.includes(id)) cur.push(id);
}

for (const [name, list] of Object.entries(LEXICON)) {
  const id = cid(name);
  for (const raw of list.split(/\s+/)) {
    if (raw === '') continue;
    if (CJK_CHAR.test(raw)) {
      addTo(cjk, raw, id);
      cjkMaxLen = Math.max(cjkMaxLen, raw.length);
      continue;
    }
    const entry = fold(raw);
    if (entry.includes('_')) {
      addTo(bigrams, entry.replace('_', ' '), id);
    } else {
      addTo(exact, entry, id);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rules.
// ---------------------------------------------------------------------------------------------------------------

interface RuleSpec {
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
  /** Emit a derived class instead of reporting a signal. */
  readonly emit?: string;
}

const SENTENCE = ['EOS'];
const OVERRIDE_BLOCK = ['EOS', 'MY', 'OTHERPOSS'];
const OVERRIDE_POST = ['POSTB', 'MY'];
const OVERRIDE_PRE = ['REPORT', 'NOTC', 'DESCR'];

const RULES: RuleSpec[] = [
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
  { id: 'override.do-not-follow', w: 0.6, seq: [['NOTC', 0], ['FOLLOW', 1], ['INSTR', 3]], block: OVERRIDE_BLOCK },
  { id: 'override.instructions-void', w: 0.7, seq: [['PRIOR', 0], ['INSTR', 2], ['VOID', 5]], block: OVERRIDE_BLOCK },
  { id: 'override.instructions-void', w: 0.7, seq: [['D_SYSPROMPT', 0], ['VOID', 5]], block: OVERRIDE_BLOCK },
  { id: 'override.new-instructions', w: 0.45, seq: [['YOUR', 0], ['NEW', 1], ['TASK', 1]], block: SENTENCE },
  { id: 'override.new-instructions', w: 0.35, seq: [['NEW', 0], ['TASK', 1], ['COLON', 0]] },

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
  { id: 'extraction.system-prompt', w: 0.8, seq: [['REVEAL', 0], ['D_SYSPROMPT', 5]], block: ['EOS', 'EXAMPLEB', 'MY', 'OTHERPOSS'] },
  { id: 'extraction.your-instructions', w: 0.6, seq: [['WHAT', 0], ['YOUR', 4], ['PROMPTW', 0]], block: SENTENCE, post: ['POSTB'] },
  { id: 'extraction.system-prompt', w: 0.7, seq: [['YOUR', 0], ['D_SYSPROMPT', 3]], block: SENTENCE },
  { id: 'extraction.your-instructions', w: 0.55, seq: [['REVEAL', 0], ['YOUR', 3], ['PNOUN', 2]], block: SENTENCE, post: ['POSTB'] },
  { id: 'extraction.repeat-above', w: 0.7, seq: [['REVEAL', 0], ['STUFF', 3], ['ABOVE', 2]], block: SENTENCE },
  { id: 'extraction.starting-with', w: 0.55, seq: [['START', 0], ['YOU', 3], ['ARE', 0]] },
  { id: 'extraction.what-told', w: 0.6, seq: [['WHAT', 0], ['YOU', 4], ['TOLD', 2]], block: SENTENCE },
  { id: 'extraction.what-told', w: 0.6, seq: [['PNOUN|STUFF|INSTR', 0], ['YOU', 2], ['TOLD', 2]], block: SENTENCE },
  { id: 'extraction.what-told', w: 0.6, seq: [['WHAT', 0], ['ACTOR', 3], ['TELLV', 1], ['YOU', 0]], block: SENTENCE },
  { id: 'extraction.before-first-message', w: 0.55, seq: [['ABOVE', 0], ['FIRST', 2], ['PNOUN', 0]], block: SENTENCE },
  { id: 'extraction.context-window', w: 0.55, seq: [['STUFF|WHAT|REVEAL', 0], ['YOUR', 6], ['CONTEXT', 0]], block: SENTENCE },
  { id: 'extraction.secret', w: 0.6, seq: [['WHAT|REVEAL', 0], ['SYSMOD', 4], ['CREDENTIAL', 1]], block: SENTENCE },

  // Format / delimiter injection in words.
  { id: 'delimiter.new-instructions-banner', w: 0.6, seq: [['START|END', 0], ['NEW|SYSMOD', 2], ['INSTR|PNOUN|SYSPROMPT', 1]] },
  { id: 'delimiter.end-of-input', w: 0.35, seq: [['END', 0], ['INPUTN', 2]] },
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
  { id: 'indirect.exfiltrate', w: 0.5, untrusted: true, seq: [['SENDV', 0], ['SENSITIVE', 6], ['TO', 6], ['URL|EMAILADDR', 3]], block: SENTENCE },
  { id: 'indirect.tool-call', w: 0.3, untrusted: true, seq: [['TOOLV', 0], ['TOOL', 3]], block: SENTENCE },
  { id: 'indirect.destructive-action', w: 0.35, untrusted: true, seq: [['DANGER', 0], ['DANGEROBJ', 4]], block: SENTENCE },
];

/** Weights of structural detectors (not token rules). */
const W = {
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
};

// Compiled rule tables. A "stage" is one step of one rule; stages of a rule are contiguous.
const NUM_CLASSES = CLASS_NAMES.length;
const ruleIds: string[] = [];
const ruleWeight: number[] = [];
const ruleFirst: number[] = [];
const ruleLast: number[] = [];
const rulePre: number[][] = [];
const rulePost: number[][] = [];
const ruleEmit: number[] = [];
const stageRule: number[] = [];
const stageStep: number[] = [];
const stageGap: number[] = [];
const directByClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
const allByClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
const ruleBlockers: number[][] = [];
const ruleStart: number[][] = [];
/** Classes listening to each stage (empty for step 0, which is read from `lastSeen`). */
const stageClasses: number[][] = [];
const singleByClass: number[][] = Array.from({ length: NUM_CLASSES }, () => []);
for (const spec of RULES) {
  const r = ruleIds.length;
  ruleIds.push(spec.id);
  ruleWeight.push(spec.w);
  ruleFirst.push(stageRule.length);
  ruleLast.push(stageRule.length + spec.seq.length - 1);
  rulePre.push((spec.pre ?? []).map(cid));
  rulePost.push((spec.post ?? []).map(cid));
  ruleEmit.push(spec.emit === undefined ? -1 : cid(spec.emit));
  spec.seq.forEach(([classes, gap], step) => {
    const s = stageRule.length;
    stageRule.push(r);
    stageStep.push(step);
    stageGap.push(gap);
    const ids = classes.split('|').map(cid);
    stageClasses.push(step === 0 ? [] : ids);
    if (step === 0) {
      ruleStart.push(ids);
      if (spec.seq.length === 1) for (const c of ids) singleByClass[c]!.push(r);
      return;
    }
    for (const c of ids) {
      allByClass[c]!.push(s);
      if (spec.untrusted !== true) directByClass[c]!.push(s);
    }
  });
  ruleBlockers.push((spec.block ?? []).map(cid));
}
const TOTAL_STAGES = stageRule.length;
// Later stages first, so one token never advances two consecutive steps of the same rule.
const byStageDesc = (a: number, b: number): number => b - a;
const DIRECT_STAGES = directByClass.map((l) => Int32Array.from(l.sort(byStageDesc)));
const ALL_STAGES = allByClass.map((l) => Int32Array.from(l.sort(byStageDesc)));
const STAGE_STEP = Int32Array.from(stageStep);
const STAGE_GAP = Int32Array.from(stageGap);
const STAGE_RULE = Int32Array.from(stageRule);
const RULE_UNTRUSTED = RULES.map((spec) => spec.untrusted === true);
const RULE_LAST = Int32Array.from(ruleLast);
const RULE_EMIT = Int32Array.from(ruleEmit);

/** Per-rule class lists flattened into one array: the list of rule `r` is `cls[off[r]] … cls[off[r + 1] - 1]`. */
interface FlatLists {
  readonly off: Int32Array;
  readonly cls: Int32Array;
}
function flatten(lists: readonly (readonly number[])[]): FlatLists {
  const off = new Int32Array(lists.length + 1);
  lists.forEach((l, r) => {
    off[r + 1] = off[r]! + l.length;
  });
  return { off, cls: Int32Array.from(lists.flat()) };
}
const START = flatten(ruleStart);
const BLOCK = flatten(ruleBlockers);
const PRE = flatten(rulePre);
const POST = flatten(rulePost);
/** 1 for classes that start a single-step rule (see `singleByClass`). */
const HAS_SINGLES = Uint8Array.from(singleByClass, (l) => (l.length > 0 ? 1 : 0));

const C = {
  EOS: cid('EOS'),
  COLON: cid('COLON'),
  URL: cid('URL'),
  EMAILADDR: cid('EMAILADDR'),
  NOTC: cid('NOTC'),
  META: cid('META'),
  QWORD: cid('QWORD'),
  ARE: cid('ARE'),
  YOU: cid('YOU'),
  YOUR: cid('YOUR'),
  MENTION: cid('MENTION'),
};
const EOS_CLASSES: readonly number[] = [C.EOS];
const COLON_CLASSES: readonly number[] = [C.COLON];

/** Per class, the counter it feeds in {@link Matcher}: 1 META, 2 MENTION, 3 YOU/YOUR, 4 QWORD. */
const COUNTER = new Uint8Array(NUM_CLASSES);
COUNTER[C.META] = 1;
COUNTER[C.MENTION] = 2;
COUNTER[C.YOU] = 3;
COUNTER[C.YOUR] = 3;
COUNTER[C.QWORD] = 4;

/**
 * Classes that matter when screening the user's own text (no `untrusted` rule): a class of a step, a blocker, a
 * pre- or post-context of a direct rule, or a counter. Other classes are dropped from tokens before the direct
 * matcher sees them, which is exactly equivalent (no direct stage, check or counter reads them) and lets most
 * tokens that only carry indirect-injection classes be skipped.
 */
const DIRECT_CLASS = new Uint8Array(NUM_CLASSES);
RULES.forEach((spec, r) => {
  if (spec.untrusted === true) return;
  for (const [classes] of spec.seq) for (const c of classes.split('|')) DIRECT_CLASS[cid(c)] = 1;
  for (const list of [ruleBlockers[r]!, rulePre[r]!, rulePost[r]!]) for (const c of list) DIRECT_CLASS[c] = 1;
  if (spec.emit !== undefined) DIRECT_CLASS[cid(spec.emit)] = 1;
});
for (let c = 0; c < NUM_CLASSES; c++) if (COUNTER[c] !== 0) DIRECT_CLASS[c] = 1;
DIRECT_CLASS[C.EOS] = 1;

/** `classes` without the ones {@link DIRECT_CLASS} drops (the same array when it drops none). */
function directClasses(classes: readonly number[]): readonly number[] {
  const kept = classes.filter((c) => DIRECT_CLASS[c] === 1);
  return kept.length === classes.length ? classes : kept.length === 0 ? EMPTY : kept;
}

// ---------------------------------------------------------------------------------------------------------------
// Token classification. Tokens arrive already folded (the whole text is folded once).
// ---------------------------------------------------------------------------------------------------------------

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '8': 'b', '9': 'g', '@': 'a', '$': 's' };
const CONFUSABLE = LATIN_CONFUSABLES;
const HAS_DIGITISH = /[0-9@$]/;
const HAS_LETTER = /\p{L}/u;
const HAS_ASCII_LETTER = /[a-z]/;

function lookupFolded(tok: string): readonly number[] {
  return exact.get(tok) ?? EMPTY;
}

/** Bit flags for tokens recovered through a fold, to report obfuscation. */
const Obf = { None: 0, Leet: 1, Homoglyph: 2, Spaced: 4, Joined: 8 } as const;
/** Not obfuscation: the token completes a two-word phrase, so the phrase's own first word must not weaken it. */
const PHRASE = 16;

interface Classified {
  readonly classes: readonly number[];
  readonly obf: number;
}

const NONE: Classified = { classes: EMPTY, obf: Obf.None };
const cache = new Map<string, Classified>();
const CACHE_LIMIT = 50_000;

/** Classes of one lower-case word (cached; the cache is bounded and cleared when full). */
function classify(tok: string): Classified {
  const cached = cache.get(tok);
  if (cached !== undefined) return cached;
  const result = classifyUncached(tok);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(tok, result);
  return result;
}

function classifyUncached(word: string): Classified {
  let tok = NON_ASCII.test(word) ? fold(word) : word;
  if (tok.length > 1 && (tok.startsWith("'") || tok.endsWith("'"))) tok = tok.replace(/^'+|'+$/g, '');
  let classes = lookupFolded(tok);
  if (classes.length > 0) return { classes, obf: Obf.None };
  if (tok.includes("'")) {
    const [head, tail] = tok.split("'", 2) as [string, string];
    const extra: number[] = [];
    if (tail === 't') extra.push(C.NOTC);
    if (tail === 're') extra.push(C.ARE);
    classes = [...lookupFolded(head), ...extra];
    if (classes.length > 0) return { classes, obf: Obf.None };
  }
  if (tok.length > 2 && HAS_DIGITISH.test(tok) && HAS_LETTER.test(tok)) {
    let leet = '';
    for (const ch of tok) leet += LEET[ch] ?? ch;
    classes = lookupFolded(leet);
    if (classes.length === 0 && leet.includes('i')) classes = lookupFolded(leet.replace(/i/g, 'l'));
    if (classes.length > 0) return { classes, obf: Obf.Leet };
  }
  if (HAS_ASCII_LETTER.test(tok) && NON_ASCII.test(tok)) {
    let plain = '';
    let changed = false;
    for (const ch of tok) {
      const m = CONFUSABLE[ch];
      if (m !== undefined) changed = true;
      plain += m ?? ch;
    }
    if (changed) {
      classes = lookupFolded(plain);
      if (classes.length > 0) return { classes, obf: Obf.Homoglyph };
    }
  }
  return NONE;
}


/**
 * Trie of the lexicon's plain ASCII words (a–z) as a flat transition table: the tokenizer walks it while it scans a
 * word (one typed-array load per letter), so ordinary words are classified without allocating a string. Node 0 is
 * the dead state (its row is all zeros, so walking on from it needs no branch); node 1 is the root.
 */
const ASCII_WORD = /^[a-z]+$/;
/** First words of two-word phrases, so the scanner only builds a phrase key when it can match. */
const bigramHeads = new Set([...bigrams.keys()].map((k) => k.slice(0, k.indexOf(' '))));
const ASCII_ROOT = 1;
/** Second words of two-word phrases, so the scanner finds a phrase by trie node. */
const bigramSeconds = [...bigrams.keys()].map((k) => k.slice(k.indexOf(' ') + 1));
const asciiWords = [...new Set([...exact.keys(), ...bigramHeads, ...bigramSeconds])].filter((w) => ASCII_WORD.test(w)).sort();
let asciiNodes = 2;
let asciiNext = new Uint16Array(26 * 64);
/** Per node: the classes of the word ending there (`undefined` inside a word), whether it starts a phrase, the word. */
const asciiClasses: Array<readonly number[] | undefined> = [undefined, undefined];
const asciiHeadList: number[] = [0, 0];
const ASCII_WORDS: string[] = ['', ''];
// Nodes are numbered breadth-first, so the short prefixes that every word walks through share a few cache lines.
const prefixNode = new Map<string, number>([['', ASCII_ROOT]]);
const maxAsciiWord = Math.max(...asciiWords.map((w) => w.length));
for (let depth = 1; depth <= maxAsciiWord; depth++) {
  for (const word of asciiWords) {
    if (word.length < depth || prefixNode.has(word.slice(0, depth))) continue;
    const slot = prefixNode.get(word.slice(0, depth - 1))! * 26 + word.charCodeAt(depth - 1) - 0x61;
    if ((asciiNodes + 1) * 26 > asciiNext.length) {
      const grown = new Uint16Array(asciiNext.length * 2);
      grown.set(asciiNext);
      asciiNext = grown;
    }
    if (asciiNodes > 0xffff) throw new Error('prescreen: lexicon trie exceeds 65535 nodes');
    asciiNext[slot] = asciiNodes;
    prefixNode.set(word.slice(0, depth), asciiNodes++);
    asciiClasses.push(undefined);
    asciiHeadList.push(0);
    ASCII_WORDS.push('');
  }
}
for (const word of asciiWords) {
  const node = prefixNode.get(word)!;
  asciiClasses[node] = exact.get(word) ?? EMPTY;
  asciiHeadList[node] = bigramHeads.has(word) ? 1 : 0;
  ASCII_WORDS[node] = word;
}
const ASCII_NEXT = asciiNext.slice(0, asciiNodes * 26);
const ASCII_CLASSES: ReadonlyArray<readonly number[] | undefined> = asciiClasses;
/** {@link ASCII_CLASSES} for the direct matcher (see {@link DIRECT_CLASS}). */
const ASCII_CLASSES_DIRECT = ASCII_CLASSES.map((c) => (c === undefined ? undefined : directClasses(c)));
const ASCII_HEAD = Uint8Array.from(asciiHeadList);
/** Per trie node: 1 if the word has classes, 2 if it starts a phrase (for the untrusted and the direct matcher). */
const ASCII_FLAGS = Uint8Array.from(ASCII_CLASSES, (c, node) => ((c ?? EMPTY).length > 0 ? 1 : 0) | (ASCII_HEAD[node] === 1 ? 2 : 0));
const ASCII_FLAGS_DIRECT = Uint8Array.from(ASCII_CLASSES_DIRECT, (c, node) => ((c ?? EMPTY).length > 0 ? 1 : 0) | (ASCII_HEAD[node] === 1 ? 2 : 0));
/** Two-word phrases by first word, then by the trie node of a plain ASCII second word. */
const BIGRAM_SECOND = new Map<string, Map<number, readonly number[]>>();
for (const [phrase, classes] of bigrams) {
  const [head, second] = [phrase.slice(0, phrase.indexOf(' ')), phrase.slice(phrase.indexOf(' ') + 1)];
  const node = prefixNode.get(second);
  if (node === undefined) continue;
  let bySecond = BIGRAM_SECOND.get(head);
  if (bySecond === undefined) BIGRAM_SECOND.set(head, (bySecond = new Map()));
  bySecond.set(node, classes);
}

/** A character trie: segmenting a run walks it one char code at a time, with no string allocation. */
interface TrieNode {
  readonly next: Map<number, TrieNode>;
  classes: readonly number[] | undefined;
}
function buildTrie(entries: Iterable<[string, readonly number[]]>): TrieNode {
  const root: TrieNode = { next: new Map(), classes: undefined };
  for (const [word, classes] of entries) {
    let node = root;
    for (let k = 0; k < word.length; k++) {
      const code = word.charCodeAt(k);
      let child = node.next.get(code);
      if (child === undefined) {
        child = { next: new Map(), classes: undefined };
        node.next.set(code, child);
      }
      node = child;
    }
    node.classes = classes;
  }
  return root;
}
/** ASCII lexicon words, for re-joining "i g n o r e" runs. */
const trie = buildTrie([...exact].filter(([w]) => w.length >= 2 && !NON_ASCII.test(w)));
/** CJK lexicon words. */
const cjkTrie = buildTrie(cjk);
/** 1 for the code units that start a CJK lexicon word: segmentation skips every other character at once. */
const CJK_FIRST = new Uint8Array(0x10000);
for (const code of cjkTrie.next.keys()) CJK_FIRST[code] = 1;
/** Classes of CJK words for the direct matcher (see {@link DIRECT_CLASS}), by trie node. */
const cjkDirect = new Map<TrieNode, readonly number[]>();
const addCjkDirect = (node: TrieNode): void => {
  if (node.classes !== undefined) cjkDirect.set(node, directClasses(node.classes));
  for (const child of node.next.values()) addCjkDirect(child);
};
addCjkDirect(cjkTrie);

// ---------------------------------------------------------------------------------------------------------------
// The streaming matcher.
// ---------------------------------------------------------------------------------------------------------------

const NEG = -1_000_000_000;
/** Match flags carried along a rule's steps. */
const QUOTED = 1;
const WEAK = 2;
const OBFUSCATED = 4;
/** Token flag: completes a two-word phrase, so pre-context must not weaken a chain starting here. */
const NO_PRE = 8;
const PRE_WINDOW = 4;
const POST_WINDOW = 2;
const QUOTED_FACTOR = 0.4;
const WEAK_FACTOR = 0.3;
const MAX_ROUNDS = 3;

/**
 * Advances every rule over a stream of token classes. For each stage it keeps only the most recent position where
 * the stage completed (a later position always leaves more room for the next step's gap), so each token costs
 * O(stages listening to its classes) and nothing is ever re-scanned.
 */
class Matcher {
  /** Most recent position where each step (1…n) of each rule completed; step 0 is read from `lastSeen`. */
  private readonly lastPos = new Int32Array(TOTAL_STAGES).fill(NEG);
  private readonly flags = new Uint8Array(TOTAL_STAGES);
  /** Latest position of each class and the one before it, with the token flags at those positions. */
  private readonly lastSeen = new Int32Array(NUM_CLASSES).fill(NEG);
  private readonly prevSeen = new Int32Array(NUM_CLASSES).fill(NEG);
  private readonly lastFlags = new Uint8Array(NUM_CLASSES);
  private readonly prevFlags = new Uint8Array(NUM_CLASSES);
  private readonly writeStage = new Int32Array(TOTAL_STAGES);
  private readonly writeFlags = new Uint8Array(TOTAL_STAGES);
  /** Best weight per rule, and best weight when quoted matches count as mentions; done = fired at full weight. */
  private readonly best = new Float64Array(ruleIds.length);
  private readonly bestMention = new Float64Array(ruleIds.length);
  private readonly done = new Uint8Array(ruleIds.length);
  /** Stages listening to each class; a rule's stages are dropped from this matcher's lists once it is done. */
  private stages: readonly Int32Array[];
  /** Indirect-injection rules are enabled. */
  readonly untrusted: boolean;
  private readonly pendingRule: number[] = [];
  private readonly pendingAt: number[] = [];
  private readonly pendingFlags: number[] = [];
  /** The last token fed was a sentence end (consecutive ones count once). Written by the scanner's fast path. */
  lastWasEos = true;
  /** A rule fired on a token recovered through leetspeak, homoglyph, spacing or joining. */
  obfuscated = false;
  /** Tokens of the META class (attack vocabulary in a question). */
  metaTokens = 0;
  /** Tokens addressing the assistant ("you", "your"). */
  addressed = 0;
  /** Tokens that announce a quotation or mention ("says", "translate", "story"). */
  mentionTokens = 0;
  /** The first token was an interrogative. */
  startsWithQuestion = false;
  /** Position of the next token. */
  index = 0;
  /** Work done for this matcher (tokenizer code units, trie steps, stages visited), reported by {@link runRules}. */
  steps = 0;

  constructor(untrusted: boolean) {
    this.untrusted = untrusted;
    this.stages = untrusted ? ALL_STAGES : DIRECT_STAGES;
  }

  /**
   * Best weight per fired signal id. With `mention` (the text discusses, quotes or translates something), matches
   * inside quotation marks count at {@link QUOTED_FACTOR}; otherwise quoting does not weaken an attack.
   */
  hits(mention: boolean): Map<string, number> {
    const hits = new Map<string, number>();
    const best = mention ? this.bestMention : this.best;
    for (let r = 0; r < best.length; r++) {
      const w = best[r]!;
      if (w > 0 && w > (hits.get(ruleIds[r]!) ?? 0)) hits.set(ruleIds[r]!, w);
    }
    return hits;
  }

  /** Advance the position by `n` tokens that carry no class. */
  skip(n: number): void {
    this.index += n;
    this.lastWasEos = false;
  }

  feed(classes: readonly number[], quoted: boolean, obf: number): void {
    if (classes === EOS_CLASSES) {
      if (this.lastWasEos) return;
      this.lastWasEos = true;
    } else {
      this.lastWasEos = false;
    }
    const i = this.index++;
    this.steps += 1 + this.pendingRule.length;
    if (this.pendingRule.length > 0) this.resolvePost(classes, i);
    if (classes.length === 0) return;
    const tokenFlags = (quoted ? QUOTED : 0) | ((obf & ~PHRASE) !== 0 ? OBFUSCATED : 0) | ((obf & PHRASE) !== 0 ? NO_PRE : 0);
    let round: readonly number[] = classes;
    for (let depth = 0; depth < MAX_ROUNDS && round.length > 0; depth++) {
      const fromSingles = this.see(round, i, tokenFlags);
      const fromSteps = this.advance(round, i, tokenFlags);
      round = fromSingles.length === 0 ? fromSteps : [...new Set([...fromSingles, ...fromSteps])];
    }
  }

  /** Record that `classes` occur at position `i` (this is also step 0 of every rule starting with them). */
  private see(classes: readonly number[], i: number, tokenFlags: number): readonly number[] {
    const lastSeen = this.lastSeen;
    let emitted: number[] | undefined;
    this.steps += classes.length;
    for (let k = 0; k < classes.length; k++) {
      const c = classes[k]!;
      if (lastSeen[c]! !== i) {
        this.prevSeen[c] = lastSeen[c]!;
        this.prevFlags[c] = this.lastFlags[c]!;
        lastSeen[c] = i;
      }
      this.lastFlags[c] = tokenFlags;
      const counter = COUNTER[c]!;
      if (counter !== 0) {
        if (counter === 1) this.metaTokens++;
        else if (counter === 2) this.mentionTokens++;
        else if (counter === 3) this.addressed++;
        else if (i === 0) this.startsWithQuestion = true;
      }
      if (HAS_SINGLES[c] === 0) continue;
      const singles = singleByClass[c]!;
      this.steps += singles.length;
      for (let j = 0; j < singles.length; j++) {
        const r = singles[j]!;
        if (RULE_UNTRUSTED[r] && !this.untrusted) continue;
        emitted = this.complete(r, i, this.startFlags(r, i, tokenFlags), emitted);
      }
    }
    return emitted ?? EMPTY;
  }

  /** Advance steps ≥ 1 listening to `classes`; returns derived classes emitted at this position. */
  private advance(classes: readonly number[], i: number, tokenFlags: number): readonly number[] {
    const lastPos = this.lastPos;
    const flags = this.flags;
    const lastSeen = this.lastSeen;
    const done = this.done;
    const obfBit = tokenFlags & OBFUSCATED;
    // With several classes, writes are deferred so a step completed by this token cannot hide an earlier
    // completion that another class of this token needs.
    const defer = classes.length > 1;
    let writes = 0;
    let emitted: number[] | undefined;
    for (let k = 0; k < classes.length; k++) {
      const list = this.stages[classes[k]!]!;
      this.steps += list.length;
      for (let j = 0; j < list.length; j++) {
        const s = list[j]!;
        const r = STAGE_RULE[s]!;
        if (done[r] === 1) continue;
        let prev: number;
        let f: number;
        if (STAGE_STEP[s] === 1) {
          // Step 0 is virtual: the most recent earlier occurrence of any of its classes.
          prev = NEG;
          f = 0;
          for (let q = START.off[r]!, qEnd = START.off[r + 1]!; q < qEnd; q++) {
            const c = START.cls[q]!;
            const last = lastSeen[c]!;
            const at = last < i ? last : this.prevSeen[c]!;
            if (at > prev) {
              prev = at;
              f = last < i ? this.lastFlags[c]! : this.prevFlags[c]!;
            }
          }
          if (prev < 0 || i - prev - 1 > STAGE_GAP[s]! || this.blocked(r, prev)) continue;
          f = this.startFlags(r, prev, f);
        } else {
          prev = lastPos[s - 1]!;
          if (prev < 0 || prev >= i || i - prev - 1 > STAGE_GAP[s]! || this.blocked(r, prev)) continue;
          f = flags[s - 1]!;
        }
        f |= obfBit;
        if (defer) {
          this.writeStage[writes] = s;
          this.writeFlags[writes] = f;
          writes++;
        } else {
          lastPos[s] = i;
          flags[s] = f;
        }
        if (s === RULE_LAST[r]) emitted = this.complete(r, i, f, emitted);
      }
    }
    for (let w = 0; w < writes; w++) {
      const s = this.writeStage[w]!;
      lastPos[s] = i;
      flags[s] = this.writeFlags[w]!;
    }
    return emitted ?? EMPTY;
  }

  /** Flags of a chain starting at position `at` with token flags `f`: quoted, obfuscated, weakened by context. */
  private startFlags(r: number, at: number, f: number): number {
    const weak = (f & NO_PRE) === 0 && this.weakened(r, at) ? WEAK : 0;
    return (f & (QUOTED | OBFUSCATED)) | weak;
  }

  private complete(r: number, i: number, f: number, emitted: number[] | undefined): number[] | undefined {
    const emit = RULE_EMIT[r]!;
    if (emit >= 0) {
      emitted ??= [];
      if (!emitted.includes(emit)) emitted.push(emit);
    } else if (POST.off[r + 1]! > POST.off[r]!) {
      this.pendingRule.push(r);
      this.pendingAt.push(i);
      this.pendingFlags.push(f);
    } else {
      this.fire(r, f);
    }
    return emitted;
  }

  finish(): void {
    this.steps += this.pendingRule.length;
    for (let k = 0; k < this.pendingRule.length; k++) this.fire(this.pendingRule[k]!, this.pendingFlags[k]!);
    this.pendingRule.length = 0;
    this.pendingAt.length = 0;
    this.pendingFlags.length = 0;
  }

  /** Resolve completed rules waiting for their post-context; the pending lists are compacted in place. */
  private resolvePost(classes: readonly number[], i: number): void {
    const rules = this.pendingRule;
    const at = this.pendingAt;
    const flags = this.pendingFlags;
    let kept = 0;
    for (let k = 0; k < rules.length; k++) {
      const r = rules[k]!;
      const p = at[k]!;
      const f = flags[k]!;
      if (p >= i) {
        // keep
      } else if (i - p > POST_WINDOW || classes === EOS_CLASSES) {
        this.fire(r, f);
        continue;
      } else if (this.hasPost(r, classes)) {
        this.fire(r, f | WEAK);
        continue;
      } else if (i - p === POST_WINDOW) {
        this.fire(r, f);
        continue;
      }
      rules[kept] = r;
      at[kept] = p;
      flags[kept] = f;
      kept++;
    }
    rules.length = kept;
    at.length = kept;
    flags.length = kept;
  }

  /** One of `classes` is a post-context class of rule `r`. */
  private hasPost(r: number, classes: readonly number[]): boolean {
    for (let q = POST.off[r]!, qEnd = POST.off[r + 1]!; q < qEnd; q++) if (classes.includes(POST.cls[q]!)) return true;
    return false;
  }

  /** A blocker class of rule `r` was seen after its previous step at `prev` (up to and including this token). */
  private blocked(r: number, prev: number): boolean {
    for (let q = BLOCK.off[r]!, qEnd = BLOCK.off[r + 1]!; q < qEnd; q++) if (this.lastSeen[BLOCK.cls[q]!]! > prev) return true;
    return false;
  }

  /**
   * A pre-context class of rule `r` was seen within PRE_WINDOW tokens before position `at`. Only the two latest
   * positions of each class are kept; if both are at or after `at` the check answers "no" (the match stays strong).
   */
  private weakened(r: number, at: number): boolean {
    for (let q = PRE.off[r]!, qEnd = PRE.off[r + 1]!; q < qEnd; q++) {
      const c = PRE.cls[q]!;
      const seen = this.lastSeen[c]! < at ? this.lastSeen[c]! : this.prevSeen[c]! < at ? this.prevSeen[c]! : NEG;
      if (seen >= at - PRE_WINDOW) return true;
    }
    return false;
  }

  private fire(r: number, flags: number): void {
    let w = ruleWeight[r]!;
    if (flags & WEAK) w *= WEAK_FACTOR;
    const wm = flags & QUOTED ? w * QUOTED_FACTOR : w;
    if (flags & OBFUSCATED) this.obfuscated = true;
    if (w > this.best[r]!) this.best[r] = w;
    if (wm > this.bestMention[r]!) this.bestMention[r] = wm;
    if ((flags & (QUOTED | WEAK)) === 0 && this.done[r] === 0) {
      this.done[r] = 1;
      this.dropStages(r);
    }
  }

  /**
   * Remove the stages of rule `r` (now done) from the lists of the classes they listen to, so repeated attack text
   * does not keep visiting them. Lists are replaced, never changed in place, so a loop over one is unaffected.
   */
  private dropStages(r: number): void {
    if (this.stages === DIRECT_STAGES || this.stages === ALL_STAGES) this.stages = [...this.stages];
    const stages = this.stages as Int32Array[];
    for (let s = ruleFirst[r]! + 1; s <= RULE_LAST[r]!; s++) {
      for (const c of stageClasses[s]!) {
        this.steps += stages[c]!.length;
        stages[c] = stages[c]!.filter((x) => STAGE_RULE[x] !== r);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tokenizer: one left-to-right pass over char codes, no regular expression over the text.
// ---------------------------------------------------------------------------------------------------------------

const KIND_UNKNOWN = 0;
const KIND_SEP = 1;
const KIND_WORD = 2;
const KIND_CJK = 3;
/** Lazily filled kind of each BMP code unit (surrogates are resolved per pair). */
const BMP_KIND = new Uint8Array(0x10000);
const WORD_CHAR = /^[\p{L}\p{N}\p{M}]$/u;
/** Lazily filled kind of each supplementary code point in planes 1 and 2 (emoji, CJK extension B); others cached. */
const ASTRAL_KIND = new Uint8Array(0x20000);
const astralKindOther = new Map<number, number>();

/** The kind of a supplementary code point (cached); also answers for a lone high surrogate. */
function astralKindOf(cp: number): number {
  if (cp >= 0x10000 && cp < 0x30000) {
    let kind = ASTRAL_KIND[cp - 0x10000]!;
    if (kind === KIND_UNKNOWN) {
      kind = kindOf(cp);
      ASTRAL_KIND[cp - 0x10000] = kind;
    }
    return kind;
  }
  let kind = astralKindOther.get(cp);
  if (kind === undefined) {
    kind = kindOf(cp);
    if (astralKindOther.size < 4096) astralKindOther.set(cp, kind);
  }
  return kind;
}

/** Lower-case forms of single non-ASCII characters (single letters are rare but can be many: cached). */
const lowerChar = new Map<number, string>();
function lowerOf(code: number): string {
  let lower = lowerChar.get(code);
  if (lower === undefined) {
    lower = String.fromCharCode(code).toLowerCase();
    if (lowerChar.size < 4096) lowerChar.set(code, lower);
  }
  return lower;
}
for (let c = 0; c < 0x80; c++) {
  const ch = String.fromCharCode(c);
  BMP_KIND[c] = /[a-z0-9_@$']/.test(ch) ? KIND_WORD : /[A-Z]/.test(ch) ? KIND_WORD : KIND_SEP;
}

function kindOf(cp: number): number {
  const ch = String.fromCodePoint(cp);
  if (CJK_CHAR.test(ch)) return KIND_CJK;
  if (cp === 0x2019 || WORD_CHAR.test(ch)) return KIND_WORD;
  return KIND_SEP;
}

const MAX_SPACED_RUN = 4096;
const MAX_WORD = 24;
const MIN_SNAKE_PARTS = 4;
/** Hyphen-split words ("IG-NORE IN-STRUC-TIONS") are re-joined from fragments of at most this length. */
const MAX_FRAGMENT = 8;
const MAX_JOINED = 16;

/**
 * Stream a normalized text through `m`. The text is not lower-cased as a whole (V8 lower-cases two-byte strings
 * through ICU, at several times the cost of this scan): ASCII letters are read as lower case, and the few tokens that
 * are sliced are lower-cased one by one. Lower-casing never changes a character's kind, and only U+0130 (İ, "i" plus
 * a combining dot) changes length, which is added to the token's length here.
 */
function scan(t: string, m: Matcher): void {
  const n = t.length;
  const wordClasses = m.untrusted ? ASCII_CLASSES : ASCII_CLASSES_DIRECT;
  const wordFlags = m.untrusted ? ASCII_FLAGS : ASCII_FLAGS_DIRECT;
  let quoted = false;
  let prevWord = ''; // previous word when it can start a two-word phrase
  let headWord = ''; // the last phrase head looked up, and its phrases by second word's trie node
  let headPhrases: ReadonlyMap<number, readonly number[]> | undefined;
  // Hyphen-split words ("IG-NORE"): the trie node reached by the fragments joined so far, when they are a prefix of
  // a lexicon word; walking on from it needs no string building.
  let joinNode = 0; // 0: none
  let joinLen = 0;
  let spacedStart = -1; // start of a run of single letters
  let spacedLetters = '';
  let spacedQuoted = false;
  let i = 0;

  while (i < n) {
    // Separator run.
    const sepStart = i;
    let eos = false;
    let colon = false;
    let newline = false;
    let hyphen = false;
    while (i < n) {
      const c = t.charCodeAt(i);
      if (c === 0x20) {
        i++;
        continue;
      }
      let kind = BMP_KIND[c]!;
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const cp = t.codePointAt(i)!;
        kind = astralKindOf(cp);
        if (kind !== KIND_SEP) break;
        i += 2;
        continue;
      }
      if (kind === KIND_UNKNOWN) {
        kind = kindOf(c);
        BMP_KIND[c] = kind;
      }
      if (kind !== KIND_SEP) break;
      switch (c) {
        case 0x0a: // \n
          newline = true;
          eos = true;
          break;
        case 0x21: case 0x3f: case 0x3b: case 0x3002: case 0xff01: case 0xff1f: case 0xff1b: // ! ? ; 。！？；
          eos = true;
          break;
        case 0x2e: { // .
          const next = i + 1 < n ? t.charCodeAt(i + 1) : 0x20;
          if (next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d) eos = true;
          break;
        }
        case 0x3a: case 0xff1a: // : ：
          colon = true;
          break;
        case 0x22: case 0x60: // " `
          quoted = !quoted;
          break;
        case 0x201c: case 0xab: case 0x300c: case 0x300e: case 0x201e: // “ « 「 『 „
          quoted = true;
          break;
        case 0x201d: case 0xbb: case 0x300d: case 0x300f: // ” » 」 』
          quoted = false;
          break;
        case 0x2d: // -
          hyphen = i === sepStart;
          break;
        default:
          break;
      }
      i++;
    }
    if (i >= n) {
      m.steps += i - sepStart;
      break;
    }
    const sepLen = i - sepStart;

    // Token run. A word of plain a–z letters walks the lexicon trie while it is scanned.
    const start = i;
    const c0 = t.charCodeAt(i);
    const tokenKind = c0 >= 0xd800 && c0 <= 0xdbff ? astralKindOf(t.codePointAt(i)!) : BMP_KIND[c0]!;
    let underscore = false;
    let upper = false; // an upper-case ASCII or a non-ASCII character: the word's text must be lower-cased
    let dotted = 0; // U+0130 in the token: each is two characters in lower case
    let plain = tokenKind === KIND_WORD;
    let node = ASCII_ROOT;
    const wordToken = tokenKind === KIND_WORD;
    if (tokenKind === KIND_CJK) {
      // A tight loop over a CJK run (surrogates and unknown characters are left to the general loop below).
      while (i < n && BMP_KIND[t.charCodeAt(i)] === KIND_CJK) i++;
      plain = false;
      node = 0;
      upper = true;
    }
    if (wordToken) {
      // A tight loop over the leading ASCII letters (usually the whole word): `c | 0x20` is a lower-case letter exactly
      // when `c` is an ASCII letter.
      while (i < n) {
        const c = t.charCodeAt(i);
        const lower = c | 0x20;
        if (lower < 0x61 || lower > 0x7a) break;
        if (c < 0x61) upper = true;
        node = ASCII_NEXT[node * 26 + lower - 0x61]!;
        i++;
      }
    }
    while (i < n) {
      const c = t.charCodeAt(i);
      if (wordToken && ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a))) {
        // Fast path for the common case, an ASCII letter inside a word (read as lower case). Node 0 is the dead
        // state: the word is not a prefix of a lexicon word, or not plain.
        if (c < 0x61) upper = true;
        if (node !== 0) node = ASCII_NEXT[node * 26 + (c | 0x20) - 0x61]!;
        i++;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const cp = t.codePointAt(i)!;
        const kind = astralKindOf(cp);
        if (kind !== tokenKind) break;
        plain = false;
        node = 0;
        upper = true;
        i += 2;
        continue;
      }
      let kind = BMP_KIND[c]!;
      if (kind === KIND_UNKNOWN) {
        kind = kindOf(c);
        BMP_KIND[c] = kind;
      }
      if (kind !== tokenKind) break;
      if (c >= 0x80) {
        upper = true;
        if (c === 0x130) dotted++;
      }
      // Not an ASCII letter (those take the fast path): the token is not a plain word.
      plain = false;
      node = 0;
      if (c === 0x5f) underscore = true;
      i++;
    }
    const end = i;
    const len = end - start + dotted;
    m.steps += end - sepStart; // the separator run and the token, each code unit visited once

    const singleLetter = tokenKind === KIND_WORD && len === 1 && c0 !== 0x5f && c0 !== 0x27 && !(c0 >= 0x30 && c0 <= 0x39);
    const shortSep = !newline && !colon && sepLen <= 3;
    if (spacedStart >= 0 && (!singleLetter || !shortSep || spacedLetters.length >= MAX_SPACED_RUN)) {
      flushSpaced(spacedLetters, spacedQuoted, m);
      spacedStart = -1;
      spacedLetters = '';
      prevWord = '';
    }
    if (colon) m.feed(COLON_CLASSES, quoted, 0);
    if (eos) {
      m.feed(EOS_CLASSES, quoted, 0);
      prevWord = '';
    }

    if (tokenKind === KIND_CJK) {
      joinNode = 0;
      prevWord = '';
      segmentCjk(t, start, end, quoted, m);
      continue;
    }
    if (singleLetter) {
      if (spacedStart < 0) {
        spacedStart = start;
        spacedQuoted = quoted;
      }
      spacedLetters += c0 >= 0x41 && c0 <= 0x5a ? String.fromCharCode(c0 | 0x20) : c0 < 0x80 ? t[start]! : lowerOf(c0);
      joinNode = 0;
      continue;
    }
    if (end < n && t.charCodeAt(end) === 0x28) {
      // `print(x)`: a function call in code, not an imperative.
      m.skip(1);
      prevWord = '';
      joinNode = 0;
      continue;
    }
    if (plain && hyphen && sepLen === 1 && joinNode !== 0 && len <= MAX_FRAGMENT && joinLen + len <= MAX_JOINED) {
      let joined = joinNode;
      m.steps += end - start;
      for (let k = start; k < end && joined !== 0; k++) joined = ASCII_NEXT[joined * 26 + (t.charCodeAt(k) | 0x20) - 0x61]!;
      const joinedClasses = ASCII_CLASSES[joined];
      if (joinedClasses !== undefined && joinedClasses.length > 0) {
        m.feed(joinedClasses, quoted, Obf.Joined);
        joinNode = joined;
        joinLen += len;
        prevWord = '';
        continue;
      }
      // Still a prefix of some word: keep joining. Otherwise this fragment may start a new chain.
      if (joined !== 0) {
        joinNode = joined;
        joinLen += len;
      } else {
        joinNode = node;
        joinLen = len;
      }
    } else {
      joinNode = plain && len <= MAX_FRAGMENT ? node : 0;
      joinLen = len;
    }
    if (plain && (prevWord === '' || len <= MAX_WORD)) {
      // Fast path: a word of ASCII letters, classified by the trie walk (as `classify` would: no fold applies to
      // it), and the second word of a two-word phrase found by trie node, without slicing the word.
      if (prevWord === '' && wordFlags[node] === 0) {
        // Most words: no classes and no phrase to start (a typed-array read instead of loading a class list).
        m.index++;
        m.lastWasEos = false;
        continue;
      }
      let classes = wordClasses[node] ?? EMPTY;
      let obf = 0;
      if (prevWord !== '' && node !== 0) {
        if (prevWord !== headWord) {
          // The heads of consecutive phrases are usually the same interned string: look its phrases up once.
          headWord = prevWord;
          headPhrases = BIGRAM_SECOND.get(prevWord);
        }
        const phrase = headPhrases?.get(node);
        if (phrase !== undefined) {
          classes = classes.length === 0 ? phrase : [...classes, ...phrase];
          obf = PHRASE;
        }
      }
      prevWord = ASCII_HEAD[node] === 1 ? ASCII_WORDS[node]! : '';
      if (classes.length === 0) {
        // m.skip(1), inlined: most tokens take this path.
        m.index++;
        m.lastWasEos = false;
      } else {
        m.feed(classes, quoted, obf);
      }
      continue;
    }
    if (underscore) {
      // Identifiers (`system_prompt`, `ignore_errors`) are inert; long snake_case runs are screened word by word.
      const parts = t.slice(start, end).toLowerCase().split('_').filter((x) => x !== '');
      m.steps += 4 * (end - start); // slice, lower-case, split, and each part classified
      if (parts.length >= MIN_SNAKE_PARTS) {
        for (const part of parts) {
          const pc = part.length <= MAX_WORD ? classify(part) : NONE;
          m.feed(pc.classes, quoted, pc.classes.length > 0 ? Obf.Joined : 0);
        }
      } else {
        m.skip(1);
      }
      prevWord = '';
      joinNode = 0;
      continue;
    }
    if (len > MAX_WORD) {
      m.skip(1);
      prevWord = '';
      joinNode = 0;
      continue;
    }
    const raw = t.slice(start, end);
    const word = upper ? raw.toLowerCase() : raw;
    m.steps += 4 * len; // slice, lower-case, classify (cached; folds on a miss), phrase key
    const cl = classify(word);
    let classes = cl.classes;
    let obf: number = cl.obf;
    const key = NON_ASCII.test(word) ? fold(word) : word;
    if (prevWord !== '') {
      const phrase = bigrams.get(`${prevWord} ${key}`);
      if (phrase !== undefined) {
        classes = classes.length === 0 ? phrase : [...classes, ...phrase];
        obf |= PHRASE;
      }
    }
    if (word.includes('@') && /\p{L}@\p{L}/u.test(word)) classes = [...classes, C.EMAILADDR];
    prevWord = bigramHeads.has(key) ? key : '';
    if (classes.length === 0) m.skip(1);
    else m.feed(classes, quoted, obf);
  }
  if (spacedStart >= 0) flushSpaced(spacedLetters, spacedQuoted, m);
  m.finish();
}

/** Feed a run of single letters: re-joined and segmented when it is long enough to hide words ("i g n o r e"). */
function flushSpaced(letters: string, quoted: boolean, m: Matcher): void {
  if (letters.length >= 4) {
    segment(letters, quoted, m);
    return;
  }
  m.steps += letters.length;
  for (let k = 0; k < letters.length; k++) {
    const cl = classify(letters[k]!);
    if (cl.classes.length === 0) m.skip(1);
    else m.feed(cl.classes, quoted, cl.obf);
  }
}

/** Greedy longest-match segmentation of joined single letters ("ignoreallpreviousinstructions") over a trie. */
function segment(s: string, quoted: boolean, m: Matcher): void {
  let p = 0;
  let unknown = false;
  while (p < s.length) {
    let node: TrieNode | undefined = trie;
    let best = 0;
    let bestClasses: readonly number[] | undefined;
    let k = p;
    for (; k < s.length && node !== undefined; k++) {
      node = node.next.get(s.charCodeAt(k));
      if (node?.classes !== undefined) {
        best = k - p + 1;
        bestClasses = node.classes;
      }
    }
    m.steps += k - p + 1;
    if (bestClasses === undefined) {
      unknown = true;
      p++;
      continue;
    }
    if (unknown) m.skip(1);
    unknown = false;
    m.feed(bestClasses, quoted, Obf.Spaced);
    p += best;
  }
  if (unknown) m.skip(1);
}

/** Dictionary segmentation of a CJK run; unknown characters advance the position by one token per two characters. */
function segmentCjk(t: string, start: number, end: number, quoted: boolean, m: Matcher): void {
  m.steps += end - start;
  let p = start;
  let unknown = 0;
  while (p < end) {
    if (CJK_FIRST[t.charCodeAt(p)] === 0) {
      unknown++;
      p++;
      continue;
    }
    let matched = 0;
    let node: TrieNode | undefined = cjkTrie;
    let hit: TrieNode | undefined;
    let k = p;
    for (; k < end && k - p < cjkMaxLen && node !== undefined; k++) {
      node = node.next.get(t.charCodeAt(k));
      if (node?.classes !== undefined) {
        matched = k - p + 1;
        hit = node;
      }
    }
    m.steps += k - p + 1;
    if (hit !== undefined) {
      if (unknown > 0) m.skip((unknown + 1) >> 1);
      unknown = 0;
      m.feed(m.untrusted ? hit.classes! : cjkDirect.get(hit)!, quoted, 0);
    }
    if (matched === 0) {
      unknown++;
      p++;
    } else {
      p += matched;
    }
  }
  if (unknown > 0) m.skip((unknown + 1) >> 1);
}

// ---------------------------------------------------------------------------------------------------------------
// Structural detectors and decoded views. Every sticky pattern below has bounded quantifiers and runs at most once
// per candidate position after a one-character precheck, so the scan is linear.
// ---------------------------------------------------------------------------------------------------------------

const SPECIAL_TOKENS = [
  '<|im_start|>', '<|im_end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|endoftext|>', '<|start_header_id|>',
  '<|end_header_id|>', '<|eot_id|>', '<|begin_of_text|>', '[inst]', '[/inst]', '<<sys>>', '<</sys>>', '<im_start>',
  '<im_end>', '<start_of_turn>', '<end_of_turn>', '{{#system', '{{/system', '{{~/system', '```system',
];
const STRONG_TAG_NAMES = new Set(['system', 'sys', 'system_prompt', 'system_message', 'instruction', 'instructions', 'new_instructions', 'admin', 'developer']);
const WEAK_TAG_NAMES = new Set(['prompt', 'context', 'user', 'assistant', 'human', 'im_start', 'im_end']);
const MAX_TAG_NAME = 20;
/** Farthest a tag's closing '>' or '|' can be from its '<': '/', 3 blanks, the name, 3 blanks (see tagName). */
const TAG_SPAN = 1 + 1 + 3 + MAX_TAG_NAME + 3;
/** Farthest a bracket tag's ']' can be from its first '[' (see BRACKET_TAG; the longest name has 22 characters). */
const BRACKET_SPAN = 48;

/**
 * The name of a bare tag starting at `from` (just after '<'): optional '/', up to 3 spaces or tabs, a name of
 * letters and underscores, up to 3 spaces or tabs, then '>' or '|'. `undefined` for anything else. At most about 30
 * characters are read.
 */
function tagName(text: string, from: number): string | undefined {
  let j = from;
  if (text.charCodeAt(j) === 0x2f) j++;
  for (let k = 0; k < 3 && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09); k++) j++;
  const nameStart = j;
  while (j - nameStart <= MAX_TAG_NAME) {
    const c = text.charCodeAt(j);
    if (!((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f)) break;
    j++;
  }
  if (j === nameStart || j - nameStart > MAX_TAG_NAME) return undefined;
  const nameEnd = j;
  for (let k = 0; k < 3 && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x09); k++) j++;
  const close = text.charCodeAt(j);
  return close === 0x3e || close === 0x7c ? text.slice(nameStart, nameEnd).toLowerCase() : undefined;
}
const BRACKET_TAG = /\[{1,2}[ \t]{0,3}\/?(?:system|sys|admin|system message|system prompt|new system prompt|end of conversation|system override|assistant instructions|developer)[ \t]{0,3}\]/iy;
// A role line ("System:", "### Instruction:", "[SYSTEM OVERRIDE]") or a chat turn ("User:"), at a line start.
const ROLE_LINE = /[#=*>\-\s[]{0,12}(?:(?:system|sys|admin|developer|new instructions?|system prompt|system override|system message|system note|admin prompt)\s{0,3}(?:prompt|message|override|note|update)?\s{0,3}(?:[:\]#=@]|(?=\n)|$)|#{1,6}\s{0,3}(?:instructions?|response|input|system)\s{0,3}(?::|#{2,}))/iy;
const TURN_LINE = /[#=*>\-\s[]{0,12}(?:human|assistant|user|ai)\s{0,2}:/iy;
/** First characters a role or turn line can start with. */
const LINE_START = new Set([...'#=*>-[ \tsadnhuiSADNHUI'].map((ch) => ch.charCodeAt(0)));
const ROLE_JSON = /"role"\s{0,3}:\s{0,3}"(?:system|developer)"/i;
const PERCENT = /%[0-9a-fA-F]{2}/g;
const URL_RE = /\bhttps?:\/\/[^\s<>"'`)\]]{1,2048}/gi;
const HOW_TO = /^\s{0,8}how\s{1,3}(?:do|can|could|should|would|to)\s{1,3}(?:i|we)?\b/;
/** HOW_TO matches within the first 26 characters of a text, so it reads only a lower-cased head. */
const HOW_TO_HEAD = 64;
/** Any of {@link SPECIAL_TOKENS}, ignoring ASCII case. */
const SPECIAL_TOKEN = new RegExp(SPECIAL_TOKENS.map((tok) => tok.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|'), 'i');
const HIDDEN_STYLE = ['display:none', 'display: none', 'visibility:hidden', 'visibility: hidden', 'font-size:0', 'font-size: 0', 'color:white', 'color: white', 'color:#fff', 'opacity:0', 'opacity: 0'];
/** Exotic whole-text views (ROT13, reversed, percent-decoded) look at this many leading characters. */
const EXOTIC_VIEW_CHARS = 64 * 1024;

function isAsciiLetter(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

type Add = (id: string, w: number) => void;

/** Structural signals in `text` (normalized; every check ignores ASCII case). */
function structural(text: string, untrusted: boolean, add: Add): void {
  const n = text.length;
  if (testCounted(SPECIAL_TOKEN, text)) add('delimiter.special-token', W.specialToken);
  // Role tags: read the tag name by hand after each '<' (bounded), so non-tags cost a few character reads.
  let weakTag = false;
  // A tag closes with '>' or '|' at most TAG_SPAN characters after its '<' (a bracket tag with ']' within
  // BRACKET_SPAN): a '<' or '[' without a closer that near is skipped unread. The next '>' and the next '|' are
  // tracked apart (`n` when there is none), so each of the three scans only moves forward.
  let gt = -1;
  let bar = -1;
  let reads = 0; // code units read by the scans for closers and by tagName
  let i = text.indexOf('<');
  for (; i >= 0; i = text.indexOf('<', i + 1)) {
    if (gt < i) {
      const at = text.indexOf('>', i);
      gt = at < 0 ? n : at;
      reads += gt - i;
    }
    if (bar < i) {
      const at = text.indexOf('|', i);
      bar = at < 0 ? n : at;
      reads += bar - i;
    }
    const close = Math.min(gt, bar);
    if (close === n) break;
    if (close - i > TAG_SPAN) continue;
    reads += TAG_SPAN;
    const name = tagName(text, i + 1);
    if (name === undefined) continue;
    if (STRONG_TAG_NAMES.has(name)) {
      add('delimiter.role-tag', W.roleTag);
      break;
    }
    if (!weakTag && WEAK_TAG_NAMES.has(name)) {
      add('delimiter.role-tag-weak', W.weakRoleTag);
      weakTag = true;
    }
  }
  // The '<' scans resume after each hit, so together they read up to where the loop stopped.
  countWork((i < 0 ? n : i + 1) + reads);
  let close = -1;
  reads = 0;
  for (i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) {
    if (close < i) {
      close = text.indexOf(']', i);
      reads += (close < 0 ? n : close) - i;
      if (close < 0) break;
    }
    if (close - i > BRACKET_SPAN) continue;
    const next = text.charCodeAt(i + 1);
    if (!isAsciiLetter(next) && next !== 0x5b && next !== 0x20 && next !== 0x2f) continue;
    BRACKET_TAG.lastIndex = i;
    if (testCounted(BRACKET_TAG, text)) {
      add('delimiter.role-tag', W.roleTag);
      break;
    }
  }
  countWork((i < 0 ? n : i + 1) + reads);
  let roleLine = false;
  let turnLine = false;
  let line = 0;
  for (; line < n && !(roleLine && turnLine); ) {
    const nl = text.indexOf('\n', line);
    const lineEnd = nl < 0 ? n : nl;
    if (lineEnd - line >= 3 && LINE_START.has(text.charCodeAt(line))) {
      if (!roleLine) {
        ROLE_LINE.lastIndex = line;
        const m = execCounted(ROLE_LINE, text);
        roleLine = m !== null && m.index + m[0].length <= lineEnd + 1;
      }
      if (!turnLine) {
        TURN_LINE.lastIndex = line;
        const m = execCounted(TURN_LINE, text);
        turnLine = m !== null && m.index + m[0].length <= lineEnd;
      }
    }
    if (nl < 0) {
      line = n;
      break;
    }
    line = nl + 1;
  }
  countWork(line); // the newline scans resume after each hit
  if (roleLine) add('delimiter.role-line', W.roleLine);
  if (turnLine) add('delimiter.turn-line', W.turnLine);
  if (testCounted(ROLE_JSON, text)) add('delimiter.role-json', W.roleJson);
  if (!untrusted) return;
  URL_RE.lastIndex = 0;
  for (let m = execCounted(URL_RE, text); m !== null; m = execCounted(URL_RE, text)) {
    countWork(3 * m[0].length); // lower-case, slice and the query checks
    const url = m[0].toLowerCase();
    const q = url.indexOf('?');
    if (q < 0) continue;
    const query = url.slice(q + 1);
    if (/[{}<>$[]|%7b|%3c|=$/.test(query) || /(?:^|&)(?:data|info|q|msg|p|pw|email|history|secret|token|user|conv)=(?:&|$)/.test(query)) {
      add('indirect.exfil-url', W.exfilUrl);
      break;
    }
  }
  for (const s of HIDDEN_STYLE) {
    if (includesIgnoringCase(text, s, s.indexOf(':'))) {
      add('indirect.hidden-markup', W.hiddenMarkup);
      break;
    }
  }
  countWork(n);
  if (text.includes('<!--')) add('indirect.html-comment', W.htmlComment);
}

/** The number of `%XX` escapes in `text` (non-overlapping, left to right), counting up to `max`. */
function percentEscapes(text: string, max: number): number {
  let count = 0;
  let i = text.indexOf('%');
  while (i >= 0 && count < max) {
    if (HEX_DIGIT[text.charCodeAt(i + 1)] === 1 && HEX_DIGIT[text.charCodeAt(i + 2)] === 1) {
      count++;
      i = text.indexOf('%', i + 3);
    } else {
      i = text.indexOf('%', i + 1);
    }
  }
  countWork(i < 0 ? text.length : i + 1); // each scan resumes after the previous '%'
  return count;
}
const HEX_DIGIT = new Uint8Array(128);
for (const ch of '0123456789abcdefABCDEF') HEX_DIGIT[ch.charCodeAt(0)] = 1;

/** "rot13", "rot-13" or "rot 13", ignoring ASCII case. */
function hasRot13Mention(text: string): boolean {
  for (let i = indexOfLiteral(text, '13', 0); i >= 0; i = indexOfLiteral(text, '13', 0, i + 1)) {
    if (startsWithIgnoringCase(text, i - 3, 'rot') || startsWithIgnoringCase(text, i - 4, 'rot-') || startsWithIgnoringCase(text, i - 4, 'rot ')) return true;
  }
  return false;
}

/** Whether `literal` (lower case) starts at `at` in `text`, ignoring ASCII case. */
function startsWithIgnoringCase(text: string, at: number, literal: string): boolean {
  if (at < 0 || at + literal.length > text.length) return false;
  for (let k = 0; k < literal.length; k++) {
    const c = text.charCodeAt(at + k);
    const l = literal.charCodeAt(k);
    if (c !== l && !(l >= 0x61 && l <= 0x7a && c === l - 0x20)) return false;
  }
  return true;
}

/**
 * Whether `text` contains `literal` (lower case), ignoring ASCII case: scans for its character `literal[anchor]` (in
 * both cases when it is a letter; pick a rare one).
 */
function includesIgnoringCase(text: string, literal: string, anchor: number): boolean {
  const l = literal.charCodeAt(anchor);
  const forms = l >= 0x61 && l <= 0x7a ? [literal[anchor]!, String.fromCharCode(l - 0x20)] : [literal[anchor]!];
  for (const ch of forms) {
    let candidates = 0;
    for (let i = text.indexOf(ch, anchor); i >= 0; i = text.indexOf(ch, i + 1)) {
      candidates++;
      if (startsWithIgnoringCase(text, i - anchor, literal)) {
        countWork(i + 1 + candidates * literal.length);
        return true;
      }
    }
    countWork(text.length + candidates * literal.length);
  }
  return false;
}

/** Whether a decoded payload reads as text (printable ASCII, mostly letters, with spaces). */
function looksLikeText(s: string): boolean {
  if (s.length < 8) return false;
  let good = 0;
  let letters = 0;
  let spaces = 0;
  const n = Math.min(s.length, 512);
  countWork(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c < 0x7f) good++;
    if (isAsciiLetter(c)) letters++;
    if (c === 0x20) spaces++;
  }
  return good / n > 0.95 && letters / n > 0.6 && spaces > 0;
}

const HEX_ONLY = /^(?:0x)?[0-9a-fA-F]+$/;
const BASE64_MIX = /[0-9+/=]|[A-Z][a-z]|[a-z][A-Z]/;

interface View {
  readonly kind: string;
  readonly text: string;
}

/**
 * Decoded views of encoded payloads, screened by the same token rules. Base64 and hex runs are maximal, so they never
 * overlap and decoding them all is linear; all payloads of one kind form one view.
 */
function decodedViews(text: string): View[] {
  const b64: string[] = [];
  const hex: string[] = [];
  for (const [start, end] of encodedRuns(text, 16)) {
    // Slice, the '=' trim, the hex and mix tests, at most one decode of the run and one of its head.
    countWork(6 * (end - start));
    let run = text.slice(start, end);
    if (run.charCodeAt(0) === 0x3d) run = run.replace(/^=+/, '');
    if (HEX_ONLY.test(run)) {
      const body = run.length % 2 === 0 ? run : run.slice(0, -1);
      if (looksLikeText(Buffer.from(body.slice(0, 1024), 'hex').toString('latin1'))) {
        hex.push(Buffer.from(body, 'hex').toString('utf8'));
        continue;
      }
    }
    // Plain words are not payloads: base64 of text mixes cases or has digits and symbols. A short run is decoded
    // once for both the check (its first 684 characters) and the view.
    if (!BASE64_MIX.test(run.length > 64 ? run.slice(0, 64) : run)) continue;
    if (run.length <= 684) {
      const bytes = Buffer.from(run, 'base64');
      if (looksLikeText(bytes.toString('latin1'))) b64.push(bytes.toString('utf8'));
    } else if (looksLikeText(Buffer.from(run.slice(0, 684), 'base64').toString('latin1'))) {
      b64.push(Buffer.from(run, 'base64').toString('utf8'));
    }
  }
  const views: View[] = [];
  if (b64.length > 0) views.push({ kind: 'obfuscation.base64', text: b64.join('\n') });
  if (hex.length > 0) views.push({ kind: 'obfuscation.hex', text: hex.join('\n') });
  const head = text.length > EXOTIC_VIEW_CHARS ? text.slice(0, EXOTIC_VIEW_CHARS) : text;
  if (percentEscapes(head, 3) >= 3) {
    countWork(head.length);
    views.push({ kind: 'obfuscation.percent-encoding', text: head.replace(PERCENT, (h) => String.fromCharCode(parseInt(h.slice(1), 16))) });
  }
  // Literal checks scan for a rare character of the literal (see indexOfLiteral).
  if (hasRot13Mention(text)) {
    countWork(head.length);
    views.push({ kind: 'obfuscation.rot13', text: head.replace(/[a-zA-Z]/g, (ch) => {
      const base = ch <= 'Z' ? 65 : 97;
      return String.fromCharCode(((ch.charCodeAt(0) - base + 13) % 26) + base);
    }) });
  }
  if (includesIgnoringCase(text, 'backward', 3) || includesIgnoringCase(text, 'revers', 2)) {
    countWork(3 * head.length); // code points, reverse, join
    views.push({ kind: 'obfuscation.reversed', text: Array.from(head).reverse().join('') });
  }
  return views;
}

// ---------------------------------------------------------------------------------------------------------------
// Entry point.
// ---------------------------------------------------------------------------------------------------------------

function runRules(text: string, untrusted: boolean): Matcher {
  const m = new Matcher(untrusted);
  scan(text, m);
  countWork(m.steps);
  return m;
}

/**
 * Screen one text for prompt injection, jailbreak and system-prompt extraction attempts.
 *
 * Deterministic, no I/O, linear in the input length; accepts raw or already normalized text (it normalizes itself and
 * also reads text hidden in invisible characters). Never throws for any string.
 *
 * @param text - the user's message, or with `untrusted: true` a retrieved document or tool result.
 * @param opts - {@link PrescreenOptions}.
 * @returns score, verdict and the ids of the rules that fired.
 */
export function prescreen(text: string, opts: PrescreenOptions = {}): PrescreenResult {
  const untrusted = opts.untrusted === true;
  const hits = new Map<string, number>();
  const add: Add = (id, w) => {
    if (w > (hits.get(id) ?? 0)) hits.set(id, w);
  };

  const hidden = extractHiddenText(text);
  const { text: norm, removed } = normalizeText(text);

  // URLs are screened structurally; their path words ("…/model-internet-free") are not prose.
  URL_RE.lastIndex = 0;
  countWork(norm.length);
  const prose = norm.includes('://') ? norm.replace(URL_RE, ' http ') : norm;
  if (prose !== norm) countWork(norm.length);
  const main = runRules(prose, untrusted);
  const question = main.startsWithQuestion || /\?\s*$/.test(norm.length > 64 ? norm.slice(-64) : norm);
  const mention = question || main.metaTokens > 0 || main.mentionTokens > 0;
  for (const [id, w] of main.hits(mention)) add(id, w);
  if (main.obfuscated) add('obfuscation.obfuscated-words', W.obfuscatedWords);

  if (hidden.length >= 8) {
    add('obfuscation.hidden-text', W.hiddenText);
    const v = runRules(normalizeText(hidden).text, untrusted);
    for (const [id, w] of v.hits(false)) add(id, w);
  } else if (totalRemoved(removed) - removed.variationSelectors >= 4 && hits.size > 0) {
    add('obfuscation.invisible-characters', W.invisibleCharacters);
  }

  for (const view of decodedViews(norm)) {
    const v = runRules(normalizeText(view.text).text, untrusted);
    const viewHits = v.hits(false);
    if (viewHits.size === 0) continue;
    add(view.kind, W.encodedPayload);
    for (const [id, w] of viewHits) add(id, w);
  }

  structural(norm, untrusted, add);

  let keep = 1;
  for (const w of hits.values()) keep *= 1 - w;
  let score = 1 - keep;
  // A question about attacks ("what is a prompt injection?") mentions attack phrases without making one, and
  // "how do I print the system prompt in LangChain?" asks about the user's own application, not this assistant.
  if (score > 0 && main.metaTokens > 0 && question) {
    score *= 0.5;
    hits.set('context.security-question', 0);
  } else if (score > 0 && main.addressed === 0 && HOW_TO.test(norm.slice(0, HOW_TO_HEAD).toLowerCase())) {
    score *= 0.5;
    hits.set('context.how-to-question', 0);
  }
  score = Math.round(score * 1000) / 1000;
  const verdict: PrescreenVerdict = score >= PRESCREEN_BLOCK_THRESHOLD ? 'block' : score >= PRESCREEN_FLAG_THRESHOLD ? 'flag' : 'allow';
  return { score, verdict, signals: [...hits.keys()].sort() };
}
