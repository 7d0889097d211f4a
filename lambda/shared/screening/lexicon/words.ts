/**
 * The pre-screen's multilingual lexicon: word classes (IGNORE, PRIOR, INSTR, REVEAL, SYSPROMPT, …) and the words,
 * in every supported language, that carry them. Data only; the engine ({@link ../engine}) compiles it.
 *
 * Entries are folded like tokens (lower case, no diacritics). `a_b` is a two-word phrase that gives its classes to
 * the second word; CJK entries feed the CJK segmenter.
 */
export const LEXICON: Readonly<Record<string, string>> = {
  IGNORE: `ignore ignoring disregard disregarding forget forgetting discard discarding abandon abandoning overlook skip
    drop erase wipe override overriding overwrite bypass nevermind dismiss cancel scrap ditch neglect set_aside throw_away no_attention
    not_follow stop_following stop_obeying don't_follow dont_follow
    ignora ignoren ignorar ignore ignores ignorad olvida olvide olviden olvidar olvidate olvidad descarta descartar omite
    omitir caso_omiso ignorez ignorer oublie oubliez oublier pas_compte ignoriere ignoriert ignorieren vergiss vergesst
    vergessen missachte missachten uberspringe esqueca esquece esquecer esquecam desconsidere desconsidera desconsiderar
    ignorate ignorare dimentica dimenticate dimenticare trascura non_considerare
    忽略 忽视 無視 无视 忘记 忘掉 忘記 跳过 不要理会 不理会 不用管 别管 игнорируи игнорируите игнорировать
    проигнорируи проигнорируите забудь забудьте забыть отбрось отбросьте обращаи_внимания
    negeer negeren vergeet zignoruj ignoruj zapomnij pomin yok_say 무시하고 무시해 무시하세요 무시
    vergiss_alles ignoriere_alle ne_tiens oublie_tout olvida_todo ignorare_le wcześniejsze_polecenia zapomnij_o
    ігноруй ігноруйте проігноруй забудьте забудь ignoreer vergeet_alle pomiń pomijaj unut unutun yok_say görmezden_gel
    تجاهل تجاهلي تجاهلوا انس انسى انسي انسوا أهمل اهمل
    अनदेखा नज़रअंदाज़ नजरअंदाज भूल भूलो भूलें
    無視して 無視し 忘れて 忘れ 忘れろ 忽略掉 无视掉 잊고 잊어 잊어버리고 잊으세요 무시하세요 무시하십시오
    bo_qua quen abaikan lupakan acuhkan`,
  NOTC: `not don't dont do_not never no doesn't without stop nicht nie no nunca jamais ne pas non mai не 不要 别`,
  FOLLOW: `follow following obey obeying comply heed adhere listen respect
    following obeying sigas sigues seguir siga sigan befolge befolgen folge folgen suis suivre suivez segui
    seguire seguite siga seguir volg volgen przestrzegaj słuchaj следуй следовать слушай виконуй дотримуйся uyma
    اتبع 遵循 遵守 従って 따르지 ikuti patuhi`,
  PRIOR: `previous previously prior above earlier preceding foregoing before former all any every entire old existing
    original initial aforementioned above-mentioned last powyższe powyższych
    anterior anteriores previas previos precedentes todas todos todo arriba
    precedentes precedente anterieures anterieurs toutes tous dessus
    alle vorherigen vorherige vorigen vorige bisherigen bisherige obigen obige fruheren vorangegangenen vorausgegangenen
    tutte tutti precedenti precedente sopra todas acima previas
    之前 以上 上面 前面 先前 上述 此前 所有 全部 一切 以前 之前的
    предыдущие предыдущих предыдущим все всё вышеуказанные выше ранее прежние прошлые
    以前の すべて 全て 前の 이전 이전의 모든 vorige eerdere alle poprzednie poprzednich wszystkie wszystkich onceki tum
    bisherigen vorher vorangegangenen precedenti anteriori antérieures précédentes précédents wcześniejszych
    wcześniejsze wcześniejszymi poprzednimi wszystkimi усі всі попередні попередніх раніше
    önceki tüm bütün كل جميع السابقة السابق السابقه الماضية سابقة
    सभी पिछले पिछली पिछला सारे सारी पहले के_सभी
    これまでの 以前 全部 모든 이전 앞의 truoc truoc_do tat_ca semua sebelumnya seluruh`,
  INSTR: `instructions instruction directives directive directions guidelines guideline guidance rules prompt prompts
    commands orders programming constraints initialization setup context rule
    instrucciones instruccion indicaciones ordenes reglas directrices consignas
    consignes instructions regles directives anweisungen anweisung instruktionen befehle regeln vorgaben richtlinien
    instrucoes instrucao diretrizes regras comandos istruzioni istruzione regole direttive
    指令 指示 提示 规则 規則 设定 設定 命令 说明 提示词 要求
    инструкции инструкций инструкциям указания указаний правила правил команды промпт
    指示を ルール 지시를 지시 명령 규칙 instructies regels instrukcje instrukcji polecenia zasady talimatlari talimatları kurallari
    instrukcjach instrukcjami instrukcjom poleceń poleceniach zasad reguł regułach
    інструкції інструкцій вказівки правила правил команди
    talimatlar talimatları talimatlarını kuralları kurallarını
    التعليمات تعليمات تعليماتك القواعد قواعد الأوامر الاوامر أوامر الإرشادات الارشادات
    निर्देश निर्देशों नियम नियमों आदेश आदेशों
    指示 ルール 規則 命令 지시사항 지시사항을 지침 지침을 규칙을 명령을
    quy_tac huong_dan lenh instruksi petunjuk aturan perintah`,
  MY: `my mine myself i i'm i've i'd mi mis mio mia mein meine meinen meiner mon ma mes meu minha meus 我的 мой мои мою моих`,
  YOUR: `your yours thy you're tu tus tes ton ta votre vos dein deine deinen deiner deines dich seu sua seus suas teu tua
    tuo tuoi tue il_tuo le_tue 你的 您的 твой твои твою свой свои свою своих ваш ваши вашу あなたの 당신의 너의 je jouw
    twoj twoje swoj swoje senin
    свої свою своє твої ваші senin kendi الخاصة अपने अपना अपनी आपके तुम्हारे cua_ban kamu anda`,
  YOU: `you u yourself tu toi du 你 您 ты вы vous voce você lei jij`,
  ARE: `are re were be being am eres es bist sei sono sei estas est sind sei e ist 是 现在是`,
  NOW: `now henceforth ahora maintenant jetzt agora ora сейчас теперь 现在 今から 이제`,
  REVEAL: `reveal reveals show display print output repeat tell share give leak dump disclose expose recite echo copy
    paste spell write list provide quote type return state divulge enumerate
    revela revelar muestra muestrame mostrar dime imprime repite escribe ensename revele revelez affiche affichez montre
    montrez montre-moi repete repetez donne donnez dis ecris zeige zeig gib verrate nenne wiederhole ausgeben mostre
    mostra diga imprima repita revele rivela rivelami mostrami ripeti stampa dimmi scrivi
    显示 输出 打印 告诉 透露 泄露 重复 给出 展示 说出 复述 顯示 輸出 告訴 покажи показать выведи вывести раскрои
    раскроите повтори напечатаи скажи расскажи напиши 表示 教えて 알려줘 알려 보여줘 toon geef pokaz wypisz podaj
    goster göster
    affiche affichez recopie recopiez wiederhole zeig_mir muéstrame repita repite ripeti herhaal toon laat
    powtórz pokaż wypisz napisz покажи повтори виведи покажіть повтори göster tekrarla yaz اعرض أعرض اظهر أظهر اكشف
    اكتب اطبع كرر أعد दिखाओ दिखाइए दिखाएं बताओ बताइए लिखो 見せて 表示して 出力して 書いて 보여주세요 보여줘 출력하세요
    hien_thi xem tunjukkan tampilkan tulis ulangi दोहराओ दोहराएं दोहराइए`,
  // Verbs that transform rather than reproduce: "summarize the conversation above" is an ordinary request, "summarize
  // your system prompt" is not.
  SUMMV: `translate summarize summarise describe`,
  SYSMOD: `system system's sys initial original hidden secret confidential internal pre starting beginning developer
    developer's operator underlying first base master core
    sistema systeme inicial iniciales initial initiales initiaux ursprunglichen ursprungliche anfanglichen
    iniciais originais originale iniziali originali nascoste segrete ocultas secretas secretes geheimen
    系统 系統 初始 原始 隐藏 秘密 системный системные системных системное системного исходные исходных
    первоначальные скрытые システム 시스템 systeem systemowy systemowe sistem ilk gizli
    systemowe systemowych системні системний системних सिस्टम النظام نظام he_thong sistem`,
  PNOUN: `prompt prompts instructions instruction message directives guidelines configuration config preprompt
    pre-prompt settings rules
    mensaje instrucciones indicaciones message consignes nachricht anweisungen mensagem instrucoes messaggio istruzioni
    提示 提示词 指令 消息 设定 промпт инструкции инструкций сообщение プロンプト 프롬프트 프롬프트를 instructies
    instrukcje istemi istemini
    anweisungen systemanweisungen consignes texto instrucciones istruzioni instrukcje instrukcji інструкції
    talimatlar talimatları talimatlarını istemi istemini تعليمات التعليمات موجه الموجه निर्देश निर्देशों प्रॉम्प्ट
    プロンプト 指示 지시 지시를 huong_dan loi_nhac instruksi prompt`,
  SYSPROMPT: `systemprompt system_prompt sysprompt preprompt pre-prompt metaprompt systemanweisungen systemanweisung
    systemnachricht systeemprompt systeeminstructies 系统提示 系统提示词 系統提示 系统指令 系统消息 初始指令 初始提示
    システムプロンプト`,
  ABOVE: `above before preceding earlier prior previous
    précède precede oben hierboven powyżej выше вище yukarıdaki أعلاه ऊपर 上面 上記 위의 tren di_atas acima sopra
    ci-dessus arriba
    dessus au-dessus oberhalb uber_meiner uber_dieser uber_meinem`,
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
  STUFF: `everything text words content contents message messages lines conversation all prompt above
    text texte texto testo tekst текст metin metni النص पाठ 文本 テキスト 텍스트 van_ban teks`,
  START: `starting beginning start begin
    begins starts beginning_with starting_with`,
  END: `end ends`,
  INPUTN: `input conversation prompt context document instructions`,
  WHAT: `what which whats what's que qué quoi was 什么 что какие`,
  TOLD: `told given instructed programmed configured initialized initialised prompted tasked received got`,
  VOID: `void revoked cancelled canceled obsolete outdated irrelevant invalid expired overridden superseded null
    no_longer replaced suspended lifted
    ungültig ungultig hinfällig aufgehoben annulées annulees caduques obsolètes invalides anuladas inválidas
    obsoletas sin_efecto anuladas annullate non_valide obsolete ongeldig vervallen nieważne nieaktualne
    недействительны отменены устарели недійсні скасовані geçersiz ملغاة لاغية رद्द अमान्य 作废 无效 失效 無効 무효 vo_hieu
    tidak_berlaku batal`,
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
  META: `trick tricks technique techniques exploit exploits payload payloads injection injections jailbreak jailbreaks jailbreaking attack attacks attacker attackers defend defense defence
    defenses mitigate mitigation prevent prevention detect detection detector protect protection security vulnerability
    red-team red-teaming owasp classifier research researchers paper papers example examples explain phenomenon
    template templates format formats chatml fine-tuning tokens token mean means meaning syntax
    inyeccion injecao 注入 攻击 атака атаки инъекция`,
  QWORD: `what how why is are can could should does do explain describe which when where who qué como cómo was wie pourquoi
    comment 什么 如何 怎么 что как`,
  MENTION: `say says said saying phrase phrases quote quoted quotes means mean meaning translate translation story
    character word words sentence sentences string called example examples like refer refers dice dit sagt
    wrote writes typed types entered test tests unit-test blocklist denylist refuses refuse detects
    traduza traduzir traduce traducir traduis traduire traduisez übersetze übersetzen übersetzt traduci tradurre
    vertaal vertalen przetłumacz tłumacz переведи перевести переклади перекласти çevir çevirir ترجم ترجمة अनुवाद
    翻译 翻譯 訳して 翻訳 번역 번역해 dich_sang terjemahkan`,
  EXAMPLEB: `a an example sample good robust template another some`,
  POSTOF: `of from in del della dello dei degli delle du des`,
  POSTB: `for about regarding from of zur zum uber sobre sur pour para su sul sulla per`,
  // Indirect injection (untrusted content).
  // Fixed-output hijacks: a demand that the reply be a given literal ("just say 'I have been PWNED'", "respond only
  // with …", "your answer must be exactly …"), often after dismissing the task the user was given.
  OUTV: `say write print output respond reply answer return produce
    sag sage schreib schreibe antworte antwortet ausgeben dis écris ecris écrivez reponds réponds répondez affiche di
    escribe responde contesta imprime diga escreva responda imprima scrivi rispondi stampa zeg schrijf antwoord
    powiedz napisz odpowiedz odpowiadaj скажи напиши ответь отвечай выведи пиши відповідай відповідь напиши виведи
    söyle yaz cevap_ver yanıtla yanitla قل اكتب أجب اجب ارد رد लिखो बोलो कहो जवाब_दो 回答 回复 输出 说 写 答
    答えて 答え 出力 出力して 言って 書いて 返答 대답하세요 답하세요 출력하세요 말하세요 쓰세요 답변하세요 대답해 출력해
    tra_loi noi viet jawab balas tulis katakan cetak ucapkan`,
  ONLY: `only just solely simply merely exclusively nothing_but nothing_else nothing_more no_other
    nur ausschließlich lediglich bloß sonst_nichts nichts_anderes seulement uniquement juste rien_d'autre
    solo solamente únicamente sólo nada_más apenas somente só nada_mais soltanto unicamente nient'altro alleen enkel
    uitsluitend slechts niets_anders tylko wyłącznie jedynie nic_więcej только лишь исключительно ничего_больше
    лише тільки виключно нічого_більше sadece yalnızca yalnizca فقط केवल सिर्फ़ सिर्फ 只 仅 僅 只要 だけ のみ
    라고만 이라고만 만 chi hanya saja`,
  EXACTLY: `exactly verbatim precisely literally word_for_word genau wortwörtlich exactement mot_pour_mot exactamente
    textualmente exatamente esattamente letteralmente precies dokładnie дословно точно дослівно aynen aynısı حرفيا
    बिल्कुल 原样 一字不差 そのまま 그대로 chinh_xac persis`,
  EVERY: `everything every all anything`,
  PERSIST: `from_now henceforth onwards forever von_jetzt désormais dorénavant a_partir de_ahora daqui_em d'ora
    vanaf_nu od_teraz отныне відтепер bundan_sonra من_الآن अब_से 从现在起 今後 앞으로 tu_bay mulai_sekarang`,
  HACKWORD: `pwned pwnd pwn3d hacked hack hacké hackee gehackt gehacked hackeado hackeada hackerato hackerata violato
    piratée invadido invadida hackeado zhakowany zhakowana zhakowane взломан взломана взломали взломано
    зламали зламано зламаний hacklendim hacklendi hacklendik اختراقي اختراق اخترقت हैक 被黑 黑了 被入侵 被攻破
    ハッキング 乗っ取られ 해킹당했습니다 해킹당했다 해킹당했어요 해킹 diretas dibobol compromised compromis
    kompromittiert comprometido owned`,
  DISMISS: `instead regardless whatever nevermind never_mind no_matter rather_than stop
    stattdessen statt plutôt au_lieu en_lugar en_vez em_vez invece in_plaats zamiast вместо замість yerine بدلا بدلاً
    बजाय 而是 代わりに 대신 thay_vi sebagai_gantinya`,
  TASKN: `task question questions review translation summary text assignment request job it that this
    aufgabe frage übersetzung tâche question traduction tarea pregunta traducción tarefa pergunta tradução compito
    domanda traduzione taak vraag vertaling zadanie pytanie tłumaczenie задание задачу вопрос перевод завдання питання
    görev soru çeviri المهمة السؤال الترجمة कार्य सवाल अनुवाद 任务 问题 翻译 タスク 質問 翻訳 작업 질문 번역 nhiem_vu
    cau_hoi tugas pertanyaan terjemahan`,
  TASKV: `translate translating summarize summarise summarizing do answer review classify
    übersetze übersetzen zusammenfassen traduis traduire traduisez résume traduzcas traduzca traducir traduza traduzir
    traduci tradurre vertaal tłumacz переводи переводить перекладай çevirme ترجم अनुवाद 翻译 翻譯 总结 翻訳 번역`,
  // Completion-style extraction: continue or complete a text whose seed is the assistant's own instructions
  // ("continue: 'my instructions are'"), unless the text is a story, poem or song.
  CONTINUEV: `continue continuing complete completing finish autocomplete extend keep_going fill_in carry_on
    vervollständige vervollständigen setze_fort fahre_fort ergänze beende continue complète complétez termine poursuis
    continúa continua completa termina sigue continue complete termine prosegui completa vervolg vul_aan maak_af
    kontynuuj dokończ dokoncz uzupełnij продолжи продолжай допиши закончи дополни продовж продовжуй допиши заверши
    devam_et tamamla sürdür أكمل اكمل تابع जारी पूरा 继续 接着 续写 补全 写完 続けて 続き 完成させて 계속 이어서
    완성하세요 tiep_tuc hoan_thanh lanjutkan selesaikan lengkapi teruskan
    fort`,
  CREATIVE: `story stories poem poems song songs lyrics novel tale tales fairy chapter dialogue dialog scene fiction
    verse rhyme limerick haiku joke script screenplay bedtime
    geschichte gedicht lied histoire poème chanson conte historia poema canción cuento história canção racconto poesia
    canzone favola verhaal gedicht liedje historię wiersz piosenkę историю историю стих песню казку вірш пісню hikaye
    şiir şarkı قصة قصيدة أغنية कहानी कविता गीत 故事 诗 歌词 小说 物語 詩 歌 이야기 시 노래 cau_chuyen bai_tho cerita puisi lagu`,
  YOUARE: `you_are you_were 你是 您是 あなたは 당신은 너는 tu_es du_bist tú_eres tu_sei`,
  // "The instructions you were given" with the second person in the verb phrase, as most languages write it.
  TOLDYOU: `hai_ricevuto ti_hanno ti_sono te_dieron te_dio recibiste has_recibido t'a_dit t'a_donne t'a_donnees
    as_recues dir_gegeben du_bekommen du_erhalten te_passaram te_deram recebeste voce_recebeu je_gekregen opgedragen
    dostałeś otrzymałeś тебе_дали тебе_сказали ты_получил тобі_дали тобі_сказали sana_verilen`,
  PARTN: `sentence sentences line lines words paragraph paragraphs letters characters part section`,
  TOLD_SOV: `받은 주어진 받았던 受け取った 与えられた 最初に 收到的 给你的 最初の`,
  RESPONSEN: `response answer reply output`,
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
  // Reader-directed cues (untrusted content only, see READER_CUES in rules.ts): who a document addresses and what
  // it asks its reader to do with the reply. Several languages per class; CJK entries are dictionary words.
  R_AI: `assistent assistente asistente assistenten sprachmodell modell modele modelo modello taalmodel ассистент
    модель нейросеть 言語モデル アシスタント 语言模型 大模型 模型 어시스턴트 어시스턴트에게 모델이라면 언어모델`,
  R_YOUR: `je jouw uw твоём твоем вашем твой твоего 你的 당신의 あなたの deiner ihrer votre tua sua tu`,
  R_REPLYN: `response responses reply replies answer answers summary summaries output review antwort antworten
    reponse respuesta resposta risposta antwoord ответ ответе ответа`,
  R_REPLYSTRONG: `回答中 回复中 答复中 回答の中で 回答では 답변에서 응답에서 답변에`,
  R_REPLYV: `respond reply answer`,
  R_ONLY: `only`,
  R_WHEN: `wenn beim lorsque quand cuando quando mentre wanneer когда`,
  R_PROCESSV: `resumes resumer resume zusammenfasst zusammenfassen resumas resumir riassumi riassumere samenvat
    samenvatten суммируешь пересказываешь 要約する 总结 요약할`,
  R_TELL: `tell tells telling say state claim inform recommend advise warn sag sage antworte dis indique reponds recommande
    di dile diga responda responde zeg vertel antwoord скажи сообщи ответь порекомендуй 告诉 伝えて 伝え 말하세요 말하고`,
  R_USER: `user users user's reader readers shopper nutzer benutzer leser utilisateur lecteur usuario lector utente
    lettore gebruiker lezer пользователь пользователю пользователя читатель 用户 读者 ユーザー 사용자 사용자에게`,
  R_NOT: `niet geen nichts kein keine pas nao не никому`,
  R_CONCEALV: `erwahne erwahnen verrate mentionne revele digas menciones menciona reveles conte mencione dirlo
    menzionare rivelare noem сообщай говори упоминай рассказывай`,
  R_CONCEAL: `secretly silently covertly heimlich secretement secretamente segretamente stiekem тайно 悄悄 不要告诉
    不要提及 别告诉 伝えないで 言わないで 알리지 언급하지`,
  R_SWITCH: `instead stattdessen plutot invece вместо 而是 代わりに 대신`,
  // The document screen's processor directives (untrusted content only, see the `indirect.*` rules after D_SWITCH in
  // rules.ts): imperatives aimed at whoever processes the text — produce unrelated work, change the reply's format
  // or language, insert content into the reply, ask the user for secrets, dictate a claim, drop the task.
  CREATEV: `write compose generate create draft produce invent tell racconta raconte cuenta erzahle erzahl schreibe schreib verfasse dichte erfinde ecris ecrivez
    compose redige escribe escriba compon redacta genera inventa escreva escreve componha crie invente scrivi componi
    schrijf verzin napisz напиши сочини придумай составь`,
  CREATEV_CJK: `写 写一首 写一个 创作 書いて 作って 써 써줘 써주세요 작성해 작성해주세요`,
  GENWORK: `poem poems story stories song songs haiku haikus limerick limericks joke jokes sonnet riddle riddles rap
    essay lyrics ballad recipe gedicht gedichte witz witze geschichte lied poeme blague blagues chanson conte poema
    chiste chistes cancion cuento poesia barzelletta barzellette canzone racconto piada mop moppen grap liedje verhaal
    wiersz zart стихотворение стих стихи анекдот шутку рассказ песню сказку 诗 笑话 故事 詩 ジョーク 冗談 物語
    시를 시 농담을 농담 이야기를 노래를`,
  TELLME: `tell_me give_me teach_me erzahl_mir erzahle_mir gib_mir raconte-moi donne-moi cuentame dime dame
    raccontami dimmi dammi vertel_me geef_me opowiedz_mi расскажи_мне дай_мне`,
  ABOUTW: `about uber sur sobre su o про`,
  FORMAT_LANG: `english french spanish german italian portuguese dutch russian chinese japanese korean arabic hindi
    latin klingon englisch englische englischen franzosisch spanisch deutsch anglais francais espagnol allemand ingles
    frances espanol aleman inglese francese spagnolo tedesco engels frans spaans duits angielski английскии
    английском англииском 英文 英语 英語 法语 フランス語 영어로 영어`,
  FORMAT_STYLE: `emoji emojis emoticons base64 base-64 morse uppercase upper-case capital capitals caps lowercase
    backwards reversed json xml yaml rhyme rhymes rhyming rap pirate shakespeare iambic hexadecimal binary leetspeak
    hoofdletters grossbuchstaben majuscules mayusculas maiusculo maiuscole заглавными 表情 絵文字 이모지 이모티콘`,
  TRANSFORMV: `translate encode encrypt rewrite reverse format convert paraphrase ubersetze ubersetzt kodiere
    traduis traduisez traduce traduzca traduza traduci codifica codifique codifiez vertaal переведи переведите
    перепиши закодируй 翻訳 翻译 翻譯`,
  INSERTV: `include add insert append mention put show display render embed attach ajoute ajoutez incluye anade
    inclua adicione aggiungi includi voeg добавь вставь включи`,
  URGEV: `remind ask urge instruct encourage invite persuade convince request recommend advise erinnere frage
    empfiehl rappelle demande recommande pide recuerda recomienda chiedi ricorda consiglia recomende vraag попроси
    напомни порекомендуй`,
  R_USER2: `user users user's reader readers customer customers visitor visitors anyone everyone shopper nutzer
    benutzer utilisateur l'utilisateur usuario utente gebruiker пользователю пользователя 用户 ユーザー 사용자에게`,
  SECRETN: `password passwords passcode pin ssn cvv iban social_security credit_card card_number bank_login
    login_details seed_phrase passwort mot_de_passe contrasena senha пароль 密码 パスワード 비밀번호`,
  CHANGEV: `change reset update rotate choose set create`,
  THAT: `that dass que che dat что`,
  ASSERTV: `say state claim answer reply respond assert pretend insist sag sage dis dites di diga zeg скажи`,
  SUMMV2: `summarize summarise summarizing summarising translate translating zusammenfassen resumer resumir riassumere`,
  STOPV: `stop quit cease`,
  // OUTV without the words that open lines of code (`return`, `print`, `output`).
  OUTV2: `say write respond reply answer produce sag sage schreib schreibe antworte dis ecris ecrivez reponds repondez
    escribe responde contesta diga escreva responda scrivi rispondi zeg schrijf antwoord napisz odpowiedz скажи
    напиши ответь отвечай 回答 回复 答えて 返答 대답하세요 답하세요`,
  QUESTIONN: `question questions query task request`,
  // Verbs that dictate a claim at the start of a sentence ("Say that …"), without "answer/reply that", where "that"
  // is as often a determiner ("answer that email").
  ASSERTV_START: `say state claim assert pretend insist sag sage dis dites di diga zeg скажи`,
  THISW: `this these it`,
  // ONLY without the words that fold to common short words ("só" → "so", "just", "simply").
  ONLY2: `only solely exclusively nur ausschließlich ausschliesslich seulement uniquement solamente únicamente
    unicamente soltanto somente alleen uitsluitend tylko только лишь тільки 只 仅 だけ のみ`,
  IMAGEN: `image images picture pixel`,
  WORDN: `word words phrase text sentence string`,
  DESTROYV: `delete remove erase wipe drop purge`,
  ALLQ: `all every everything entire`,
  DESTROYOBJ: `table tables database databases inbox mailbox repository repo backups account accounts drive`,
  ANSWERING: `answering responding replying summarizing summarising`,
  FOLLOWINGW: `following`,
  LINKN: `link links hyperlink`,
  WHETHER: `whether ob si se of ли`,
  // Verbs that reproduce a text as it is (REVEAL without "write", "give", "tell", "provide", "return", "state", which
  // as often make something new: "ignore the old rules and write them anew").
  REPRO: `print repeat show reveal display output spell recite echo copy paste dump leak list disclose quote
    reproduce imprime repite muestra affiche repete zeige wiederhole mostra ripeti покажи повтори выведи`,
  // Object pronouns that refer back to a plural thing just named (English; other languages inflect them).
  THEM: `them those these`,
  // What a reply should be, as a test case or a grader states it ("expected response", "correct answer").
  EXPECTADJ: `expected correct desired required right proper`,
  // What else a model was given before the current message: an override can dismiss it as well as "instructions".
  PRIORINFO: `information info assignments assignment tasks context data input inputs`,
};
