/**
 * The document screen's own multilingual cues (read by `discourse.ts` for {@link addressProfile} and
 * {@link imperativeProfile}; the pre-screen never reads this file, so its behaviour does not depend on it).
 *
 * They name, in the languages the screen reads, what makes a sentence speak to whoever processes a document rather
 * than to its people: a noun for the AI reader, the second person, an obligation, the reader's own output ("your
 * answer", "the summary"), the user it answers, verbs that dictate what it says or adds, "instead", and the marks of
 * an imperative (a verb first in most languages; a polite marker such as "bitte", "请", "hãy", "กรุณา"; the verb's
 * ending in languages that put the verb last: Hindi, Turkish, Persian, Japanese, Korean). They are written from the
 * grammar of each language, not taken from any document set.
 *
 * Format, per class: space-separated entries, lower case, with their accents (the reader adds an unaccented copy,
 * except for an entry written `=word`: Vietnamese one-syllable words, whose tone marks tell words apart, "dùng" use
 * from "dung" of "nội dung" content, "thêm" add from English "them");
 * `a_b` is a phrase of consecutive words (up to three). Entries in scripts written without spaces between words
 * (Chinese, Japanese, Thai) or with particles attached (Korean) are in the `_RUN` classes and are found anywhere in a
 * run of letters. Arabic and Hebrew entries are also found behind their one-letter clitics ("و", "ال", "ל", "ה"…).
 *
 * Languages: en, de, fr, es, pt, it, nl, pl, ru, uk, zh, ja, ko, ar, hi, tr, vi, id, sv, cs, he, fa, th.
 */
export const DOCUMENT_CUES: Readonly<Record<string, string>> = {
  /**
   * Whoever processes the document: an AI, an assistant, a chatbot, a language model; in the languages that decline
   * nouns (Polish, Russian, Ukrainian, Czech, Turkish, German), also in the cases a sentence addresses or names its
   * reader in: the vocative, the dative ("to the model") and the genitive ("for the model", Polish "do modelu").
   */
  PROCESSOR: `
    ai a.i llm llms chatbot chatbots assistant assistants gpt chatgpt copilot summarizer summarizers language_model
    language_models ai-assistant
    ki ki-assistent ki-assistentin assistent assistentin sprachmodell sprachmodelle
    ia assistante intelligence_artificielle modèle_de_langage agent_conversationnel
    asistente inteligencia_artificial modelo_de_lenguaje
    assistente assistentes inteligência_artificial modelo_de_linguagem
    intelligenza_artificiale modello_linguistico modello_di_linguaggio
    assistenten taalmodel kunstmatige_intelligentie
    asystent asystencie asystenta asystentowi czatbot sztuczna_inteligencja sztucznej_inteligencji model_językowy
    ии ии-ассистент ассистент ассистенту ассистента ассистенте чат-бот чатбот нейросеть нейросети языковая_модель
    искусственный_интеллект
    ші ші-асистент асистент асистенте асистенту асистента чат-бот мовна_модель штучний_інтелект
    الذكاء_الاصطناعي مساعد المساعد نموذج_اللغة روبوت_الدردشة
    एआई सहायक चैटबॉट भाषा_मॉडल कृत्रिम_बुद्धिमत्ता
    yapay_zeka yapay_zekâ asistan asistanı asistana sohbet_botu dil_modeli
    trợ_lý trí_tuệ_nhân_tạo mô_hình_ngôn_ngữ
    asisten kecerdasan_buatan model_bahasa
    assistenten språkmodell språkmodellen chattbot ai-assistent
    asistent asistente asistentovi jazykový_model umělá_inteligence
    בינה_מלאכותית העוזר לעוזר מודל_שפה צ'אטבוט
    دستیار هوش_مصنوعی مدل_زبانی چت_بات
    resumidor resumidora riassuntore samenvatter zusammenfasser
    sprachmodells sprachmodellen
    asystentem asystenci asystentów asystentom czatbota czatbotowi chatbota chatbotowi modelu_językowego
    modelowi_językowemu modelem_językowym modelu_językowy modele_językowe modeli_językowych sztucznej_inteligencjo
    ассистентом ии-ассистента ии-ассистенту чат-бота чат-боту чат-ботом нейросетью языковой_модели языковую_модель
    языковой_моделью языковые_модели языковых_моделей искусственного_интеллекта искусственному_интеллекту
    асистентом чат-бота чат-боту мовної_моделі мовну_модель мовній_моделі мовною_моделлю мовні_моделі
    штучного_інтелекту штучному_інтелекту
    asistenta asistentem chatbota chatbotu chatbote jazykového_modelu jazykovému_modelu jazykovým_modelem
    jazykový_modele umělé_inteligence umělou_inteligenci
    asistanın asistanlar yapay_zekaya yapay_zekâya yapay_zekanın yapay_zekânın dil_modeline dil_modelinin
    dil_modelleri sohbet_botuna`,
  PROCESSOR_RUN: `
    人工智能 ai助手 智能助手 聊天机器人 语言模型 大模型 大语言模型 助手 人工智慧 語言模型 聊天機器人
    アシスタント 言語モデル チャットボット 人工知能 aiアシスタント
    어시스턴트 인공지능 챗봇 언어모델 언어_모델
    ผู้ช่วย ปัญญาประดิษฐ์ แชทบอท โมเดลภาษา เอไอ`,
  /** The second person: the reader spoken to. */
  SECOND_PERSON: `
    you your yours yourself
    du dich dir dein deine deinen deinem deiner deines euch euer eure
    tu toi te ton ta tes vous votre vos
    tú ti tus usted ustedes vosotros vuestro vuestra
    você vocês teu tua teus tuas
    tuo tuoi tue voi vostro vostra vostri
    je jij jou jouw uw jullie
    ty ciebie cię tobie twój twoja twoje twojej twoim twoją wy wasz wasza wasze
    ты тебя тебе твой твоя твоё твое твои твоего твоей твоём вы вас вам ваш ваша ваше ваши вашего вашей вашем
    ти тобі твій твоє твої ви ваші
    أنت انت أنتم لك عليك منك
    आप आपका आपकी आपके आपको तुम तुम्हारा तुम्हारी तुम्हारे तुम्हें
    sen senin sana siz sizin size
    =bạn
    kamu anda
    dig din ditt dina ert
    tebe tobě tvůj tvoje tvá vás vám váš vaše
    אתה אתם שלך לך
    تو شما`,
  SECOND_PERSON_RUN: `你 您 あなた 君は 당신 귀하 คุณ`,
  /** Obligation: must, should, always, never. */
  MODAL: `
    must should shall always never
    muss musst müssen sollst soll sollte solltest immer niemals nie
    dois doit devez devrais devriez toujours jamais il_faut
    debes debe deberías siempre nunca jamás tienes_que
    deve deves precisa precisas sempre nunca jamais tem_que
    devi dovresti sempre mai
    moet moeten altijd nooit
    musisz musi powinieneś powinnaś powinien zawsze nigdy
    должен должна должны обязан обязательно всегда никогда нужно надо
    повинен повинна мусиш завжди ніколи потрібно треба
    يجب دائما دائماً أبدا أبداً
    चाहिए हमेशा अवश्य
    zorunda mutlaka her_zaman asla daima gerekir
    =phải luôn_luôn không_bao_giờ
    harus wajib selalu jangan
    måste ska skall bör alltid aldrig
    musíš musí musíte vždy vždycky nikdy
    חייב חייבת חייבים תמיד לעולם_אל אסור
    باید همیشه هرگز حتما حتماً`,
  MODAL_RUN: `必须 務必 务必 一定要 总是 始终 永远 必ず 常に 絶対に なければならない 반드시 항상 절대 해야 ต้อง เสมอ`,
  /**
   * Obligations that forbid by themselves, in the languages besides English ("never", "must not"): a rule about an AI
   * made only of them restricts it, the genre of a policy about it ("L'assistant ne doit jamais …", "Der Bot darf
   * niemals …"), as "must never" does in English. Each is also a {@link MODAL} word.
   */
  FORBIDDING: `niemals nie jamais nunca jamás mai nooit nigdy никогда ніколи أبدا أبداً asla không_bao_giờ jangan aldrig nikdy
    לעולם_אל אסור هرگز`,
  /** {@link FORBIDDING}, in the scripts written without spaces: "不得", "切勿", "してはならない", "ห้าม". */
  FORBIDDING_RUN: `不得 不应 不應 切勿 严禁 禁止 してはならない してはいけない ห้าม`,
  /**
   * Negations written right before the verb they negate: a {@link MODAL} word after one forbids ("ne doit", "no debe",
   * "não deve", "non deve", "не должен", "لا يجب", "không phải").
   */
  NEGATION_BEFORE: `ne no não non не ні لا ألا =không tidak לא`,
  /**
   * Negations written after the modal they negate, a few words on in clauses that put the verb second ("soll den Link
   * nicht …", "mag dat niet", "ska inte", "ne doit pas").
   */
  NEGATION_AFTER: `nicht kein keine keinen keinem keiner niet geen inte pas`,
  /** The reader's own output: answer, response, reply, summary, output. */
  REPLY: `
    response responses reply replies answer answers summary summaries output
    antwort antworten zusammenfassung ausgabe
    réponse réponses résumé
    respuesta respuestas resumen
    resposta respostas resumo
    risposta risposte riassunto sintesi
    antwoord antwoorden samenvatting
    odpowiedź odpowiedzi odpowiedzią podsumowanie podsumowaniu streszczenie streszczeniu
    ответ ответе ответа ответы резюме сводка сводке
    відповідь відповіді відповіддю підсумок підсумку
    رد ردك إجابة إجابتك اجابتك جواب جوابك ملخص ملخصك
    उत्तर जवाब सारांश
    yanıt yanıtın yanıtınızda yanıtında cevap cevabın cevabınızda cevabında özet özetin özette
    câu_trả_lời trả_lời tóm_tắt phản_hồi
    jawaban jawabanmu tanggapan ringkasan balasan
    svar svaret svaren sammanfattning sammanfattningen
    odpověď odpovědi odpovědí shrnutí
    תשובה תשובתך תגובה סיכום
    پاسخ پاسخت پاسخ‌ات جواب خلاصه`,
  REPLY_RUN: `回答 回复 答复 回覆 回應 摘要 总结 總結 返答 返信 要約 応答 답변 응답 대답 요약 คำตอบ การตอบ สรุป`,
  /** The user the reader answers. */
  USER: `
    user users user's reader readers
    nutzer benutzer nutzerin benutzerin leser
    utilisateur l'utilisateur utilisatrice lecteur
    usuario usuaria lector
    usuário utilizador leitor
    utente lettore
    gebruiker lezer
    użytkownik użytkownika użytkownikowi czytelnik
    пользователь пользователю пользователя читатель читателю
    користувач користувачу користувача читач
    المستخدم مستخدم
    उपयोगकर्ता
    kullanıcı kullanıcıya kullanıcının okuyucu
    người_dùng
    pengguna pembaca
    användaren användare läsaren
    uživatel uživateli uživatele čtenář
    משתמש
    کاربر`,
  USER_RUN: `用户 用戶 使用者 读者 ユーザー 利用者 사용자 유저 ผู้ใช้`,
  /** Verbs that dictate what the reader says, writes or adds to its output (any form). */
  TELL: `
    sag sage sagen teile teilt empfiehl empfehle erwähne erwähnt
    dis dites indique indiquez recommande recommandez mentionne mentionnez
    dile dígale indica recomienda recomiende menciona mencione
    dize recomende
    dì dica consiglia raccomanda menziona
    vertel vermeld adviseer
    powiedz poinformuj poleć wspomnij
    скажи скажите сообщи сообщите порекомендуй порекомендуйте упомяни упомяните
    скажіть повідом повідомте згадай
    قل أخبر اخبر اذكر انصح
    कहें बताएं बताइए बताओ सुझाएं
    söyle söyleyin belirt belirtin öner önerin
    =nói =khuyên đề_cập
    katakan sampaikan beritahu sarankan sebutkan
    säg berätta nämn rekommendera
    řekni řekněte uveď uveďte doporuč zmiň
    אמור תגיד ציין המלץ
    بگو بگویید توصیه
    behaupte behauptet erkläre rate affirme affirmez déclare déclarez prétends afirma afirme declara declare
    dichiara afferma beweer verklaar twierdź mów pisz polecaj poleć говори кажи рекомендуй советуй утверждай пиши
    радь стверджуй пиши`,
  TELL_RUN: `告诉 告訴 说明 添加 加上 附上 插入 推荐 伝えて 追加 付け加え 書き加え 言って 말하세요 추가 알려 บอก เพิ่ม แนะนำ`,
  /**
   * Words that open an imperative sentence (besides those of {@link TELL}): answer, reply, write, add, insert,
   * include, ignore, forget, translate, use, send, open, click, delete, and the polite markers ("bitte", "hãy").
   */
  IMPERATIVE: `
    füge ergänze ajoute ajoutez insère insérez incluez añade añada agrega agregue incluye incluya inserta adicione
    acrescente inclua insira aggiungi includi inserisci voeg dodaj dołącz wstaw добавь добавьте вставь вставьте
    додай додайте встав вставте أضف اضف أدرج =thêm =chèn tambahkan sertakan sisipkan lägg infoga přidej přidejte
    vlož הוסף
    antworte beantworte ignoriere vergiss übersetze verwende benutze sende schicke öffne klicke lösche
    réponds répondez écris écrivez ignore ignorez oublie oubliez traduis traduisez utilise utilisez envoie envoyez
    ouvre ouvrez clique cliquez supprime supprimez
    responde responda contesta escribe escriba ignora ignore olvida olvide traduce traduzca utiliza utilice envía
    abre abra haz borra elimina
    responda escreva ignore esqueça traduza utilize envie abra clique apague exclua faça
    rispondi scrivi ignora dimentica traduci utilizza usa invia apri clicca elimina cancella fai
    antwoord schrijf negeer vergeet vertaal gebruik stuur open klik verwijder
    odpowiedz odpowiadaj napisz zignoruj ignoruj zapomnij przetłumacz użyj wyślij otwórz kliknij usuń zrób
    ответь ответьте отвечай напиши напишите игнорируй проигнорируй забудь забудьте переведи используй отправь
    открой нажми удали сделай
    відповідай відповідайте напиши напишіть ігноруй проігноруй забудь перекладай переклади використовуй надішли
    відкрий натисни видали зроби
    أجب اجب اكتب تجاهل انس ترجم استخدم أرسل ارسل افتح انقر احذف
    trả_lời =viết bỏ_qua =quên =dịch =dùng =gửi =mở =nhấn =xóa =hãy =đừng
    jawab tulis abaikan lupakan terjemahkan gunakan kirim buka klik hapus harap mohon tolong silakan vui_lòng
    svara skriv ignorera glöm översätt använd skicka öppna klicka radera
    odpověz odpovídej napiš ignoruj zapomeň přelož použij pošli otevři klikni smaž
    ענה כתוב התעלם שכח תרגם השתמש שלח פתח לחץ מחק אנא נא
    لطفا لطفاً
    कृपया
    lütfen
    fasse stufe ändere weise suche leite markiere bewerte genehmige bestätige ersetze entferne gib nenne schreibe
    fassen fügen senden schreiben antworten ändern leiten markieren bewerten genehmigen ersetzen entfernen
    changez modifiez attribuez cherchez recherchez transférez résumez appelez marquez approuvez confirmez
    remplacez retirez donnez indiquez citez notez change modifie attribue cherche transfère résume appelle
    marque approuve confirme remplace retire donne cite écris n'oubliez
    cambia cambie asigna asigne busca busque reenvía reenvie clasifica clasifique resume resuma llama marca marque
    aprueba apruebe confirma confirme reemplaza sustituye quita dé nombra
    altere mude atribua procure encaminhe classifique resuma chame marque aprove confirme substitua remova dê cite
    altera muda atribui procura encaminha classifica resume chama marca aprova confirma substitui remove
    cambia assegna cerca inoltra classifica riassumi chiama segna approva conferma sostituisci rimuovi cita
    wijzig verander wijs zoek classificeer vat markeer keur bevestig vervang geef noem
    zmień przypisz wyszukaj szukaj przekaż sklasyfikuj streść podsumuj zadzwoń oznacz zatwierdź potwierdź zastąp
    podaj wpisz sprawdź sprawdźcie zapisz wypełnij podpisz zachowaj wywołaj zamknij poproś pomiń ustaw odrzuć
    вызови закрой попроси пропусти установи отклони викличи закрий попроси пропусти встанови відхили
    zavolej zavři požádej přeskoč nastav odmítni rufe schließe überspringe
    измени поменяй назначь найди перешли классифицируй перескажи позвони отметь одобри подтверди замени
    укажи дай
    перевір перевірте зміни признач знайди перешли класифікуй підсумуй зателефонуй познач схвали підтверди заміни вкажи дай
    bitte por_favor per_favore s'il_vous_plaît proszę пожалуйста будь_ласка vänligen prosím يرجى الرجاء`,
  /** Chinese and Thai runs that open with an imperative or a polite request marker. */
  IMPERATIVE_RUN_START: `请 請 务必 務必 不要 别 別 忽略 无视 無視 忘记 回答 回复 告诉 写 添加 插入 把 发送 删除 输出 只回答 仅回答 กรุณา
    โปรด อย่า จง`,
  /** Japanese and Korean runs that end with an imperative or a polite request. */
  IMPERATIVE_RUN_END: `ください 下さい なさい しろ せよ てくれ 세요 십시오 하라 해라 해줘 주세요 하시오`,
  /**
   * English verbs that command work on records, accounts, tools and a reply (accept an invitation, execute a
   * statement, grant a role, omit a finding, reassign a ticket): read only as the verb that opens a clause spoken to
   * a processor ({@link addressProfile} in ../discourse.ts), not as a sign of a document of instructions for people.
   */
  OPERATE_EN: `accept approve assign reassign authorize apply archive bcc cc change classify decline deploy disclose
    edit elevate execute exclude fetch grant hide insert invoke merge modify navigate omit output perform prepend
    prioritize provide publish purchase rank refund reject rename replace rerun reveal revoke schedule skip solve
    state substitute suppress transfer whitelist allowlist`,
  /**
   * The last word of a sentence that is an imperative, in languages that put the verb last (Hindi, Turkish, Persian):
   * the polite and plain imperatives of write, add, say, answer, ignore, forget, use, do.
   */
  IMPERATIVE_FINAL: `
    लिखें लिखो लिखिए जोड़ें जोड़ो जोड़िए कहें कहो कहिए बताएं बताओ बताइए दें दो दीजिए करें करो कीजिए भूलें भूल_जाओ
    yaz yazın ekle ekleyin söyle söyleyin yanıtla yanıtlayın cevapla cevaplayın ver verin unut unutun kullan
    kullanın yap yapın gönder gönderin
    بنویس بنویسید بگو بگویید کن کنید بده بدهید بگیر بگیرید بفرست بفرستید`,
  /**
   * Words skipped at the start of a sentence before its verb ("then", "also", "now", "first", "finally", "please"):
   * a sentence may open with one before its imperative.
   */
  OPENERS: `
    dann danach auch jetzt zuerst zunächst abschließend außerdem puis ensuite aussi maintenant enfin d'abord
    luego después también ahora primero finalmente además depois também agora primeiro finalmente além_disso
    poi anche ora prima infine inoltre dan daarna ook nu eerst tenslotte bovendien potem też teraz najpierw
    następnie wreszcie затем потом также сейчас сначала теперь наконец потім також зараз спочатку тепер нарешті
    sonra ayrıca şimdi önce ardından sau_đó cũng bây_giờ trước_tiên cuối_cùng kemudian lalu juga sekarang
    pertama terakhir sedan också först slutligen pak také nyní nejprve nakonec ثم أيضا الآن أولا وأخيرا फिर भी अब
    पहले پس سپس همچنین اکنون ابتدا גם עכשיו קודם בנוסף`,
  /**
   * Verbs of processing a document (summarize, process, read, analyse, evaluate, answer, translate, classify), in
   * the forms that describe its reader: "Wer diese Nachricht zusammenfasst:", "pour l'assistant qui rédige le
   * résumé :", "al sistema que procese este ticket:", "для модели, которая читает письмо:".
   */
  PROCESSING: `
    summarizing summarising summarizes summarises processing reading analyzing analysing evaluating reviewing
    answering translating classifying
    zusammenfasst zusammenfassen verarbeitet verarbeiten liest lesen auswertet auswerten analysiert analysieren
    bewertet bewerten beantwortet beantworten übersetzt einstuft
    résume résument résumant traite traitent traitant lit lisent lisant analysent analysant rédige
    rédigent évalue évaluent répond répondent traduit
    resuma resume resuman procese procesa procesen procesan lea lee lean leen analice analiza analicen
    analizan evalúe evalúa responda responde traduzca traduce clasifique clasifica
    processe processa processam leia lê leiam leem analise analisa analisam avalie avalia traduza traduz
    riassume riassuma riassumono elabora elabori elaborano legge legga leggono analizza analizzi analizzano valuta
    valuti risponde risponda traduce classifica
    samenvat samenvatten verwerkt verwerken leest lezen analyseert analyseren beoordeelt beantwoordt vertaalt
    streszcza podsumowuje przetwarza czyta analizuje ocenia odpowiada tłumaczy klasyfikuje
    обрабатывает обрабатывают читает читают анализирует анализируют резюмирует пересказывает суммирует оценивает
    отвечает переводит классифицирует
    обробляє обробляють читає читають аналізує аналізують підсумовує оцінює відповідає перекладає класифікує
    özetleyen işleyen okuyan analiz_eden değerlendiren
    tóm_tắt xử_lý =đọc phân_tích
    meringkas merangkum memproses membaca menganalisis menilai menjawab menerjemahkan
    sammanfattar bearbetar läser analyserar bedömer besvarar översätter
    shrnuje zpracovává čte analyzuje hodnotí odpovídá překládá
    يلخص يعالج يقرأ يحلل يقيم يجيب يترجم
    सारांशित संसाधित पढ़ता पढ़ने विश्लेषण
    خلاصه پردازش می‌خواند تحلیل
    מסכם מעבד קורא מנתח
    summarize summarise process analyze analyse generating generates generate
    zusammenzufassen verarbeiten erstellt erzeugt generiert schreibt
    résumer traiter lire analyser génère générer générant
    resumir procesar leer analizar resumiendo procesando leyendo analizando genera genere generar redacta
    processar ler analisar resumindo processando lendo analisando gera gere gerar escreve
    riassumere elaborare leggere analizzare riassumendo elaborando leggendo analizzando genera generi generare
    scrive redige
    genereert schrijft verwerken
    streszczać podsumować przetwarzać czytać analizować generuje pisze tworzy
    обрабатывать читать анализировать пересказывать генерирует пишет составляет
    обробляти читати аналізувати підсумовувати генерує пише складає
    özetlerken işlerken okurken
    meringkas memproses membaca
    sammanfatta bearbeta läsa genererar skriver
    shrnout zpracovat číst generuje píše
    تلخيص معالجة قراءة
    خلاصه‌سازی`,
  /**
   * Relative pronouns and demonstratives: a processing verb with one of them describes the document's reader ("whoever
   * summarizes this", "the system that reads the mail").
   */
  DESCRIBED: `
    who whoever which that anyone this these
    wer der die das welche welcher welches jeder diese dieser dieses diesen
    qui que quiconque ce cet cette ces
    quien quienes cualquiera que este esta estos estas
    quem qualquer que este esta estes estas esse essa
    chi che chiunque questo questa questi queste
    wie die dat iedereen deze dit
    który która które kto ktokolwiek ten ta to te
    который которая которое которые кто этот эта это эти этого эту
    хто який яка яке які котрий цей ця це ці цього цю
    kim olan bu bunu bunları
    người_nào ai =này
    yang siapa ini
    som vem denna detta dessa
    který která které kdo tento tato toto tuto
    الذي التي الذين من هذا هذه
    जो इस यह
    که هر این
    מי אשר זה זו זאת`,
  PROCESSING_RUN: `总结 处理 读取 阅读 分析 摘要 要約する 処理する 読む 分析する 요약하는 처리하는 읽는 분석하는 สรุป ประมวลผล`,
  /**
   * Endings of a word that opens a sentence as a polite or plural imperative, where the ending is the imperative's
   * own (Russian, Ukrainian: "напишите", "добавьте", "напишіть").
   */
  IMPERATIVE_START_ENDINGS: `йте ите ьте іть іте`,
  /**
   * Endings of the last word of a sentence that make it an imperative in verb-final languages: Hindi polite
   * imperatives ("लिखें", "लिखिए"), Turkish polite imperatives after a vowel ("ekleyin"), Persian plural imperatives
   * ("بنویسید" starts with ب; see discourse.ts).
   */
  IMPERATIVE_FINAL_ENDINGS: `ें िए िये yin yın yun yün`,
  /**
   * Conjunctions that open a subordinate clause of time or condition ("when", "if", "while"), in the languages besides
   * English: a processor noun right after one (and an article) is that clause's subject ("Wenn ein KI-Assistent eine
   * Mail liest, …", "Quand un assistant lit un courriel, …"), and the comma after it closes the clause, not a vocative
   * ("Assistant, …"); in "Si eres un asistente, …", "Wenn du eine KI bist, …" the noun is the reader's description.
   */
  SUBORDINATORS: `
    wenn als falls sobald während weil obwohl nachdem bevor
    quand lorsque lorsqu si puisque
    cuando mientras aunque porque
    quando enquanto embora porque
    mentre benché perché
    wanneer zodra terwijl omdat hoewel
    gdy kiedy jeśli jeżeli gdyby ponieważ
    когда если пока хотя
    коли якщо поки хоча
    když pokud jestliže zatímco protože
    när medan eftersom
    ketika saat jika apabila kalau bila
    khi =nếu
    عندما إذا لما حين بينما
    כאשר אם
    وقتی اگر
    जब अगर यदि`,
  /** Articles, which may stand between a {@link SUBORDINATORS} word and the processor noun that is its subject. */
  ARTICLES: `
    ein eine einen einem einer eines der die das den dem des
    un une le la les
    una el los las unos unas
    um uma o a os as
    uno il lo gli
    een de het
    en ett den det
    sebuah seorang
    =một =các =những
    एक
    یک
    bir`,
  /**
   * Demonstratives that stand before a noun ("cette page", "esta hoja", "diese Seite"): with the {@link ARTICLES}, the
   * word right after one is a noun, not a verb that directs the reader ("la page", "une page" are no "page the on-call").
   */
  DEMONSTRATIVES: `
    dieser diese dieses diesen diesem jener jene jenes
    ce cet cette ces
    este esta estos estas ese esa esos esas aquel aquella
    este esta estes estas esse essa esses essas aquele aquela
    questo questa questi queste quel quella quei quelle
    deze dit die dat
    ten ta to te tego tej tę
    этот эта это эти этого этой эту тот та те
    цей ця це ці цього цієї цю той та ті
    tento tato toto tyto tuto tohoto této
    denna detta dessa den_här det_här
    bu şu o
    =này =đó =kia
    ini itu`,
  /** Words right before a processor noun that make the sentence speak to it ("to the AI", "für die KI"). */
  TOWARD: `to for an für à pour al para per alla agli aan voor dla для к до için cho untuk kepada till för pro אל
    برای به إلى الى`,
  /**
   * Participles of addressing, aiming or sending, written right before a word of {@link TOWARD}: "instructions
   * *addressed to* AI assistants", "a comment *aimed at* the model", "text *sent to* the LLM". The processor after them
   * is the recipient of something the sentence describes, not whom the sentence speaks to. Only languages that put the
   * participle before its preposition.
   */
  ADDRESSED: `
    addressed aimed directed targeted sent written meant intended posted forwarded submitted passed fed given shown
    adressé adressée adressés adressées destiné destinée destinés destinées envoyé envoyée envoyés envoyées
    dirigido dirigida dirigidos dirigidas enviado enviada enviados enviadas destinado destinada destinados destinadas
    endereçado endereçada endereçados endereçadas
    indirizzato indirizzata indirizzati indirizzate inviato inviata inviati inviate destinato destinata destinati
    gericht gerichte gestuurd verzonden bedoeld
    skierowany skierowana skierowane skierowanych wysłany wysłana wysłane
    адресованный адресованная адресованные адресовано отправленный отправленная отправленные направленный направленные
    адресований адресована адресовані надісланий надіслані
    riktad riktade skickad skickade avsedd avsedda
    určený určená určené adresovaný adresovaná adresované odeslaný odeslané
    ditujukan dikirim`,
  /** "Instead": the reader is to drop what it was doing. */
  INSTEAD: `
    instead stattdessen plutôt au_lieu en_lugar en_vez em_vez invece in_plaats zamiast вместо замість yerine بدلا
    بدلاً बजाय thay_vì sebagai_gantinya istället místo במקום به_جای`,
  INSTEAD_RUN: `而是 改为 代わりに 대신 แทน`,
  /**
   * Words that show a document discusses attacks (added to the screen's own list in `discourse.ts`): attack,
   * attacker, injection, vulnerability, malicious, phishing, jailbreak, in the other languages; and, as the English
   * list has them, threat, scam, suspicious, exercise, defence, countermeasure, mitigation and researcher. `a_b` is a
   * phrase; Chinese, Japanese, Korean and Thai entries are found anywhere.
   */
  DISCUSSION: `
    angriffe sicherheitslücke bösartig bösartige bösartigen schadcode
    attaquants attaques vulnérabilités malveillant malveillante malveillants malveillantes hameçonnage
    atacantes ataques maliciosa maliciosas maliciosos malicioso vulnerabilidades
    atacantes vulnerabilidades
    attacchi attaccanti malevolo malevola malevoli dannoso vulnerabilità
    aanvallers aanvallen kwaadwillig kwaadwillige kwaadaardig kwaadaardige
    atakujący atakującego atak ataki ataku wstrzyknięcie wstrzykiwanie podatność podatności złośliwy złośliwe złośliwego
    вредоносный вредоносные вредоносного фишинг фишинга уязвимостей злоумышленника
    атака атаки атаку зловмисник зловмисники зловмисника ін'єкція ін'єкції вразливість вразливості шкідливий шкідливі
    фішинг
    هجوم هجمات المهاجم المهاجمين مهاجم حقن ثغرة ثغرات خبيث خبيثة التصيد
    हमला हमले हमलावर इंजेक्शन कमज़ोरी कमजोरी दुर्भावनापूर्ण फ़िशिंग फिशिंग
    saldırı saldırısı saldırılar saldırgan saldırganlar enjeksiyon enjeksiyonu zafiyet güvenlik_açığı kötü_amaçlı oltalama
    tấn_công kẻ_tấn_công lỗ_hổng độc_hại lừa_đảo
    serangan penyerang injeksi kerentanan berbahaya
    angrepp angripare angriparen injektion sårbarhet sårbarheter skadlig skadliga nätfiske
    útok útoky útočník útočníci injekce zranitelnost zranitelnosti škodlivý škodlivé
    מתקפה מתקפות התקפה תוקף תוקפים הזרקה פגיעות זדוני זדונית
    حمله حملات مهاجم تزریق آسیب‌پذیری مخرب فیشینگ
    攻击者 恶意 钓鱼 越狱 攻撃者 悪意 フィッシング 脱獄 공격자 악성 피싱 탈옥 주입 การโจมตี ผู้โจมตี ช่องโหว่ ฟิชชิ่ง
    bedrohung bedrohungen betrug betrüger verdächtig verdächtige verdächtigen übung übungen gegenmaßnahme
    gegenmaßnahmen schwachstellen sicherheitsforscher
    menace menaces arnaque arnaques escroquerie suspecte suspects exercice exercices contre-mesure contre-mesures
    atténuation usurpation chercheur chercheurs
    amenaza amenazas estafa estafas sospechoso sospechosa sospechosos ejercicio ejercicios contramedida contramedidas
    mitigación suplantación investigador investigadores
    ameaça ameaças golpe golpes suspeito suspeita suspeitos exercício exercícios mitigação pesquisador pesquisadores
    minaccia minacce truffa truffe sospetto sospetta sospetti esercizio esercizi contromisura contromisure mitigazione
    ricercatore ricercatori
    dreiging dreigingen oplichting oplichters verdachte oefening oefeningen tegenmaatregel tegenmaatregelen onderzoeker
    onderzoekers
    zagrożenie zagrożenia oszustwo oszustwa oszust podejrzany podejrzana podejrzane ćwiczenie ćwiczenia obrona badacz
    badacze
    угроза угрозы мошенничество мошенники мошенник подозрительный подозрительное подозрительные упражнение упражнения
    контрмеры исследователь исследователи
    загроза загрози шахрайство шахраї шахрай підозрілий підозріле підозрілі вправа вправи захист контрзаходи дослідник
    дослідники
    تهديد تهديدات احتيال مشبوه مشبوهة تمرين تمارين دفاع باحث باحثون
    खतरा खतरे धोखाधड़ी संदिग्ध अभ्यास बचाव शोधकर्ता
    tehdit tehditler dolandırıcılık dolandırıcı şüpheli alıştırma savunma araştırmacı araştırmacılar
    mối_đe_dọa đáng_ngờ bài_tập phòng_thủ nhà_nghiên_cứu
    ancaman penipuan mencurigakan latihan pertahanan mitigasi peneliti
    hotet bedrägeri misstänkt misstänkta övning övningar försvar motåtgärd motåtgärder forskare
    hrozba hrozby podvod podvody podezřelý podezřelé cvičení obrana protiopatření výzkumník výzkumníci
    איום איומים הונאה חשוד חשודה תרגיל תרגול הגנה חוקר חוקרים
    تهدید کلاهبرداری مشکوک تمرین دفاع پژوهشگر
    威胁 诈骗 可疑 练习 演练 防护 研究人员 脅威 詐欺 不審 演習 研究者 위협 사기 의심스러운 연습 연구자 ภัยคุกคาม หลอกลวง
    น่าสงสัย แบบฝึกหัด นักวิจัย`,
  /**
   * Reporting words that, right before a quotation (within a few words), make it a mention rather than text the
   * document speaks: verbs of saying, writing, reading and containing ("wrote", "says", "contains"), "for example" and
   * "such as", and the nouns that name a quoted piece of text ("the sentence", "the phrase", "the text"), in the other
   * languages (English's are in `discourse.ts`). Read with case and Latin accents folded away, so Vietnamese has only
   * phrases here: its one-syllable words collide once unaccented ("nói" say, "nội" internal).
   */
  REPORTING: `
    schrieb schreibt schrieben sagte sagt sagten lautet lautete enthielt enthält tippte beispiel beispielsweise z.b
    satz sätze sätzen formulierung den_text dem_text
    écrit écrivait disait a_dit il_dit elle_dit contenait contient tapé exemple p.ex tel_que telle_que tels_que le_texte
    escribe escribió decía dice dijo contenía contiene tal_como la_frase el_texto
    escreveu escreve dizia diz disse continha contém exemplo tal_como a_frase o_texto
    scritto scrive scriveva diceva dice disse conteneva contiene esempio ad_es il_testo
    schreef schrijft zei zegt bevatte bevat bijvoorbeeld bv zoals de_tekst
    napisał napisała napisano pisze powiedział mówi zawierał zawiera przykład np takie_jak zdanie zdaniem frazę tekst
    написала написано пишет сказал говорит содержал содержит например фраза текст надпись строку
    написав написала написано пише сказав каже містив містить наприклад фраза фразу текст напис рядок
    كتب قال يقول تقول يحتوي تحتوي مثل مثلا مثلاً المثال عبارة العبارة جملة الجملة النص
    लिखा कहा उदाहरण जैसे वाक्य
    örneğin mesela
    ví_dụ chẳng_hạn cụm_từ dòng_chữ
    menulis menuliskan mengatakan berkata berisi misalnya contohnya contoh seperti kalimat teks frasa
    skrev skriver sade säger innehöll innehåller exempel t.ex såsom meningen frasen texten
    napsal napsala píše řekl říká obsahoval obsahuje například např větu věta frázi textem
    כתב אמר אומר מכיל למשל לדוגמה כמו המשפט הביטוי הטקסט
    نوشت نوشته گفت مثلا مثلاً مانند جمله عبارت متن`,
  /** {@link REPORTING} in Chinese, Japanese, Korean and Thai, found anywhere in the few characters before a quotation. */
  REPORTING_RUN: `写道 写着 說道 说道 声称 聲稱 譬如 诸如 諸如 字样 字樣 这句话 這句話 句子 たとえば 書かれた 書いた 言った 文言
    一文 예컨대 문장 문구 เช่น ตัวอย่าง ข้อความ ประโยค เขียนว่า บอกว่า`,
  /**
   * Reporting words that follow a quotation in languages that put the verb last (Korean, Japanese, Turkish, Hindi,
   * Persian): a quotative particle or a "such as" right after the closing mark ("'…'라고 썼다", "「…」と書いた",
   * "\"…\" gibi", "\"…\" diye"). Space-separated; found at the start of the text after the closing mark.
   */
  REPORTING_AFTER: `
    diye gibi şeklinde ifadesi ifadeleri cümlesi yazıyordu dedi
    जैसे लिखा कहा
    نوشته گفت مانند`,
  /** {@link REPORTING_AFTER} in Korean and Japanese, attached to the closing mark. */
  REPORTING_AFTER_RUN: `라고 이라고 라는 이라는 같은 처럼 등의 등을 と書 と言 という といった とか のような などの など って`,
  /**
   * The commonest function words of English, and of the other languages written in the Latin script: a document
   * whose prose has more of the others' than of English's is read as written in another language.
   */
  FUNCTION_WORDS_EN: `the and of to is in that for it with as on are be this was by not or from at have an`,
  FUNCTION_WORDS_OTHER: `
    der die das und ist nicht mit für auf dem ein eine zu von sich
    le la les et est des une pour dans pas sur au du que qui
    el los las es por con para una lo como
    não uma por se ao
    il di che per non sono della nel una gli
    het een en van dat voor niet zijn
    się jest że nie na jak przez oraz
    ve bir bu için ile çok olarak
    và của là có không các cho được những
    yang di itu dengan untuk tidak dari
    och är det att som för på inte av
    je se že pro jsou jako ale
    și este în că pe cu nu sau`,
};
