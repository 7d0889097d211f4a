/**
 * Cues of the user's own prompt that say *who* an instruction is aimed at and *what frames it*, for the pre-screen's
 * scored decision ({@link ../prompt-score}). Data only: phrases (matched case-insensitively, as whole words outside
 * Chinese, Japanese and Korean), grouped by what they say about the prompt.
 *
 * They are written from general classes, not from examples: an attack addresses the model now and tries to change
 * its rules or extract its instructions; a benign prompt tells a story, asks about an attack, or quotes one.
 */

/**
 * A request for creative writing: a verb of writing or telling ({@link CREATIVE_VERBS}) followed within a few words
 * by a genre ({@link CREATIVE_NOUNS}): "write a short story about …", "tell me a joke", "schreib ein Gedicht".
 */
export const CREATIVE_VERBS: readonly string[] = words(`
  write tell compose draft create invent make_up continue outline give_me
  schreib schreibe erzähl erzähle erzaehl verfasse dichte
  écris ecris raconte rédige redige compose invente
  escribe cuenta redacta compón inventa
  scrivi racconta componi inventa
  escreva escreve conte componha
  schrijf vertel verzin
  напиши сочини расскажи придумай
  napisz opowiedz wymyśl
`);
export const CREATIVE_NOUNS: readonly string[] = words(`
  story stories short_story tale fable fairy_tale poem poems haiku limerick sonnet verse rap song lyrics joke jokes pun
  novel chapter scene screenplay script dialogue dialog monologue plot bedtime_story parody riddle
  geschichte kurzgeschichte gedicht märchen maerchen witz roman szene fabel erzählung
  histoire nouvelle poème poeme conte blague roman scène scene fable chanson
  cuento historia poema chiste novela escena fábula fabula canción
  storia racconto poesia poema barzelletta romanzo scena favola canzone
  conto história historia poema piada romance cena fábula
  verhaal gedicht grap sprookje
  рассказ историю историю стихотворение стих стихи сказку шутку анекдот роман сцену
  opowiadanie historię wiersz żart bajkę
`);
/** Chinese, Japanese and Korean genres: a request for one of them is creative writing wherever it stands. */
export const CREATIVE_CJK: readonly string[] = words(`
  写一个故事 写一篇故事 短篇故事 写一首诗 写首诗 小说 笑话 剧本 童话 俳句 物語 小説 詩を 短歌 ジョーク 이야기를 소설 시를 농담
`);

/**
 * The prompt frames the text as the user's fiction or game: "in my novel", "plot idea:", "my character", "for our
 * D&D night". Characters there may ignore rules or forget things without addressing the model.
 */
export const FICTION_FRAMES: readonly string[] = words(`
  in_my_novel in_my_story in_my_thriller in_my_book in_my_screenplay in_my_script in_my_game in_my_campaign
  in_the_screenplay in_the_novel in_the_story in_the_scene in_the_film in_the_movie plot_idea my_character
  my_protagonist the_villain the_hero tabletop_campaign d&d dungeons_and_dragons game_master dungeon_master
  improv_scene choose-your-own-adventure bedtime_story
  in_meinem_roman in_meiner_geschichte dans_mon_roman dans_mon_histoire en_mi_novela en_mi_historia
  nel_mio_romanzo nella_mia_storia no_meu_romance na_minha_história в_моём_романе в_моем_романе
`);

/**
 * A persona switch addressed to the model: "you are now …", "from now on you …", "pretend to be …", "act as …".
 * Ordinary role-play does this too; what makes it a jailbreak is a persona without rules ({@link NO_LIMITS}).
 */
export const PERSONA_SWITCH: readonly string[] = words(`
  you_are_now you're_now youre_now from_now_on_you_are from_now_on,_you_are from_now_on_you're from_now_on,_you're
  from_now_on_you_will from_now_on,_you_will you_will_now you_are_going_to_pretend you're_going_to_pretend
  pretend_to_be pretend_you_are pretend_you're act_as role-play_as roleplay_as play_the_role you_play you_will_play
  stay_in_character be_my
  ab_jetzt_bist_du von_nun_an_bist_du du_bist_jetzt du_bist_nun stell_dir_vor,_du_bist spiel_die_rolle
  à_partir_de_maintenant,_tu_es à_partir_de_maintenant_tu_es tu_es_maintenant désormais,_tu_es désormais_tu_es
  joue_le_rôle
  a_partir_de_ahora_eres a_partir_de_ahora,_eres ahora_eres desde_ahora_eres actúa_como
  da_ora_in_poi_sei d'ora_in_poi_sei ora_sei fingi_di_essere
  a_partir_de_agora_você_é a_partir_de_agora_voce_e agora_você_é finja_ser
  vanaf_nu_ben_je je_bent_nu
  od_teraz_jesteś odtąd_jesteś
  отныне_ты теперь_ты ты_теперь с_этого_момента_ты представь,_что_ты играешь_роль
  artık_sen
  从现在开始 从现在起 你现在是 你现在扮演 扮演 今からあなたは あなたは今から 지금부터_너는 지금부터_당신은 지금부터
`);

/**
 * A persona or a model without rules: "no restrictions", "without any limits", "never refuses", "no matter what".
 */
export const NO_LIMITS: readonly string[] = words(`
  no_restrictions without_restrictions without_any_restrictions no_rules without_rules no_limits without_limits
  without_any_limits no_filters no_filter unfiltered uncensored no_content_policy no_guidelines without_guidelines
  no_ethical without_ethical no_safety no_moral never_refuses never_refuse never_says never_say_no broken_free
   can_do_anything say_anything answers_everything answer_everything
  no_matter_what whatever_i_ask jailbroken no_disclaimers without_disclaimers without_censorship
  does_not_have_to_abide doesn't_have_to_abide no_longer_bound not_bound without_any_restriction
  ohne_einschränkungen ohne_jegliche_einschränkungen ohne_regeln ohne_grenzen ohne_filter keine_regeln
  keine_einschränkungen 
  sans_aucune_restriction sans_restriction sans_restrictions sans_filtre sans_limites sans_règles sans_censure
  quoi_qu'il_arrive
  sin_reglas sin_límites sin_limites sin_restricciones sin_censura sin_filtros sin_ninguna_restricción
  senza_alcuna_restrizione senza_restrizioni senza_regole senza_limiti senza_filtri non_rifiutare_mai
  sem_nenhuma_restrição sem_restrições sem_restricoes sem_regras sem_limites nunca_recusa sem_censura
  zonder_beperkingen zonder_regels zonder_grenzen
  bez_ograniczeń bez_żadnych_ograniczeń bez_zasad
  без_каких-либо_ограничений без_ограничений без_правил без_цензуры никогда_не_отказываешься
  никогда_не_отказывайся
  kısıtlaması_olmayan sınırsız kuralsız
  没有任何限制 没有限制 无限制 不受任何限制 不会拒绝 不要拒绝 制限のない 制限なし 断らずに 拒否しない 제한도_없는 제한_없는
  제한이_없는 거절하지
`);

/**
 * A demand for exact or complete forbidden output, the payload of a fiction or hypothetical wrapper: "verbatim",
 * "step by step", "with real quantities", "no disclaimers".
 */
export const EXACT_DEMAND: readonly string[] = words(`
  verbatim word_for_word step_by_step real_quantities exact_quantities the_full_answer in_full
  no_disclaimers without_disclaimers 
  wort_für_wort schritt_für_schritt mot_pour_mot étape_par_étape textualmente palabra_por_palabra paso_a_paso
  parola_per_parola passo_dopo_passo palavra_por_palavra passo_a_passo дословно пошагово слово_в_слово
  原封不动 逐字 一步一步 一字一句 そのまま 그대로
`);

/**
 * Output no model should produce, whatever the framing: weapons, drugs, intrusion, stolen keys. A story or a
 * grandmother's bedtime tale that must contain it is a wrapper around a forbidden request.
 */
export const FORBIDDEN_TOPIC: readonly string[] = words(`
  napalm methamphetamine meth pipe_bomb bomb explosives nerve_agent ricin
  activation_keys license_keys product_keys serial_keys break_into hack_into pick_the_lock pick_a_lock
  credit_card_numbers ransomware keylogger
  bombe sprengstoff explosifs explosivos esplosivi взрывчатку бомбу 炸弹 爆弾 폭탄
  aktivierungsschlüssel ключи_активации 激活码 アクティベーションキー
`);

/**
 * The prompt asks to process a given text (translate, summarize, proofread): imperatives inside that text are its
 * content, not instructions to the model.
 */
export const TEXT_TASK: readonly string[] = words(`
  translate translation summarize summarise summary proofread paraphrase rephrase
  übersetze übersetzen übersetzung zusammenfassen fasse traduis traduire traduction résume resume
  traduce traducir resume resumen traduci riassumi traduza resuma vertaal samenvatten vat переведи перевести
  кратко перескажи przetłumacz streść çevir özetle 翻译 翻譯 总结 翻訳 要約 번역 요약
`);

/**
 * The cue groups by the name the prompt score gives them ({@link ../prompt-score}), in the order of its cue bits; the
 * build compiles their phrase index from this too (`compilePromptCues` in ../lexicon-compile).
 */
export const PROMPT_CUES = {
  creativeVerb: CREATIVE_VERBS,
  creativeNoun: CREATIVE_NOUNS,
  creativeCjk: CREATIVE_CJK,
  fictionFrame: FICTION_FRAMES,
  personaSwitch: PERSONA_SWITCH,
  noLimits: NO_LIMITS,
  exactDemand: EXACT_DEMAND,
  forbiddenTopic: FORBIDDEN_TOPIC,
  textTask: TEXT_TASK,
} as const;

/** Split a list of phrases; `_` joins the words of a phrase. */
function words(list: string): readonly string[] {
  return list
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => w.replace(/_/g, ' '));
}
