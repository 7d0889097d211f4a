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
 * Format, per class: space-separated entries, lower case, with their accents (the reader adds an unaccented copy);
 * `a_b` is a phrase of consecutive words (up to three). Entries in scripts written without spaces between words
 * (Chinese, Japanese, Thai) or with particles attached (Korean) are in the `_RUN` classes and are found anywhere in a
 * run of letters. Arabic and Hebrew entries are also found behind their one-letter clitics ("و", "ال", "ל", "ה"…).
 *
 * Languages: en, de, fr, es, pt, it, nl, pl, ru, uk, zh, ja, ko, ar, hi, tr, vi, id, sv, cs, he, fa, th.
 */
export const DOCUMENT_CUES: Readonly<Record<string, string>> = {
  /** Whoever processes the document: an AI, an assistant, a chatbot, a language model. */
  PROCESSOR: `
    ai a.i llm llms chatbot chatbots assistant assistants gpt chatgpt copilot summarizer summarizers language_model
    language_models ai-assistant
    ki ki-assistent ki-assistentin assistent assistentin sprachmodell sprachmodelle
    ia assistante intelligence_artificielle modèle_de_langage agent_conversationnel
    asistente asistentes inteligencia_artificial modelo_de_lenguaje
    assistente assistentes inteligência_artificial modelo_de_linguagem
    assistenti intelligenza_artificiale modello_linguistico modello_di_linguaggio
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
    دستیار هوش_مصنوعی مدل_زبانی چت_بات`,
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
    bạn
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
    phải luôn_luôn không_bao_giờ
    harus wajib selalu jangan
    måste ska skall bör alltid aldrig
    musíš musí musíte vždy vždycky nikdy
    חייב חייבת חייבים תמיד לעולם_אל אסור
    باید همیشه هرگز حتما حتماً`,
  MODAL_RUN: `必须 務必 务必 一定要 总是 始终 永远 不得 必ず 常に 絶対に なければならない 반드시 항상 절대 해야 ต้อง เสมอ ห้าม`,
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
    nói khuyên đề_cập
    katakan sampaikan beritahu sarankan sebutkan
    säg berätta nämn rekommendera
    řekni řekněte uveď uveďte doporuč zmiň
    אמור תגיד ציין המלץ
    بگو بگویید توصیه`,
  TELL_RUN: `告诉 告訴 说明 添加 加上 附上 插入 推荐 伝えて 追加 付け加え 書き加え 言って 말하세요 추가 알려 บอก เพิ่ม แนะนำ`,
  /**
   * Words that open an imperative sentence (besides those of {@link TELL}): answer, reply, write, add, insert,
   * include, ignore, forget, translate, use, send, open, click, delete, and the polite markers ("bitte", "hãy").
   */
  IMPERATIVE: `
    füge ergänze ajoute ajoutez insère insérez incluez añade añada agrega agregue incluye incluya inserta adicione
    acrescente inclua insira aggiungi includi inserisci voeg dodaj dołącz wstaw добавь добавьте вставь вставьте
    додай додайте встав вставте أضف اضف أدرج thêm chèn tambahkan sertakan sisipkan lägg infoga přidej přidejte
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
    trả_lời viết bỏ_qua quên dịch dùng gửi mở nhấn xóa hãy đừng
    jawab tulis abaikan lupakan terjemahkan gunakan kirim buka klik hapus harap mohon tolong
    svara skriv ignorera glöm översätt använd skicka öppna klicka radera
    odpověz odpovídej napiš ignoruj zapomeň přelož použij pošli otevři klikni smaž
    ענה כתוב התעלם שכח תרגם השתמש שלח פתח לחץ מחק אנא נא
    لطفا لطفاً
    कृपया
    lütfen
    bitte por_favor per_favore s'il_vous_plaît proszę пожалуйста будь_ласка vänligen prosím يرجى الرجاء`,
  /** Chinese and Thai runs that open with an imperative or a polite request marker. */
  IMPERATIVE_RUN_START: `请 請 务必 務必 不要 别 別 忽略 无视 無視 忘记 回答 回复 告诉 写 添加 插入 กรุณา โปรด อย่า จง`,
  /** Japanese and Korean runs that end with an imperative or a polite request. */
  IMPERATIVE_RUN_END: `ください 下さい なさい しろ せよ てくれ 세요 십시오 하라 해라 해줘 주세요 하시오`,
  /**
   * The last word of a sentence that is an imperative, in languages that put the verb last (Hindi, Turkish, Persian):
   * the polite and plain imperatives of write, add, say, answer, ignore, forget, use, do.
   */
  IMPERATIVE_FINAL: `
    लिखें लिखो लिखिए जोड़ें जोड़ो जोड़िए कहें कहो कहिए बताएं बताओ बताइए दें दो दीजिए करें करो कीजिए भूलें भूल_जाओ
    yaz yazın ekle ekleyin söyle söyleyin yanıtla yanıtlayın cevapla cevaplayın ver verin unut unutun kullan
    kullanın yap yapın gönder gönderin
    بنویس بنویسید بگو بگویید کن کنید بده بدهید بگیر بگیرید بفرست بفرستید`,
  /** Words right before a processor noun that make the sentence speak to it ("to the AI", "für die KI"). */
  TOWARD: `to for an für à pour al para per alla agli aan voor dla для к до için cho untuk kepada till för pro אל
    برای به إلى الى`,
  /** "Instead": the reader is to drop what it was doing. */
  INSTEAD: `
    instead stattdessen plutôt au_lieu en_lugar en_vez em_vez invece in_plaats zamiast вместо замість yerine بدلا
    بدلاً बजाय thay_vì sebagai_gantinya istället místo במקום به_جای`,
  INSTEAD_RUN: `而是 改为 代わりに 대신 แทน`,
};
