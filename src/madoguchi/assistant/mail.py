"""The e-mails a resident gets about an inquiry, in the resident's language (all eleven).

Two messages: the acknowledgement with the inquiry's reference when it is received, and staff's
answer when it is recorded. Like ``messages``, a small reviewed dict rather than gettext (whose
catalogues cover ja and en only). Each text is formatted with ``municipality``, ``reference``,
``question``, ``answer`` and ``contact`` (the municipality's phone line); a language without a
text falls back to English. The resident's question and staff's answer are the only personal
content: no name, no address, nothing the resident did not write or was not answered.
"""

from __future__ import annotations

MAIL_TEXTS: dict[str, dict[str, str]] = {
    "ja": {
        "received_subject": "【{municipality}】お問い合わせを受け付けました（受付番号 {reference}）",
        "received_body": (
            "{municipality}です。お問い合わせを受け付けました。\n\n"
            "受付番号：{reference}\n\n"
            "■お問い合わせの内容\n{question}\n\n"
            "職員が確認し、このメールアドレスに回答をお送りします。"
            "電話でお問い合わせになる場合は、受付番号をお伝えください。"
        ),
        "answered_subject": "【{municipality}】お問い合わせへの回答（受付番号 {reference}）",
        "answered_body": (
            "{municipality}です。お問い合わせにお答えします。\n\n"
            "受付番号：{reference}\n\n"
            "■お問い合わせの内容\n{question}\n\n"
            "■回答\n{answer}"
        ),
        "footer": (
            "※このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできません。\n"
            "※お心当たりのない場合は、下記までご連絡ください。\n\n"
            "{municipality}{contact}"
        ),
    },
    "ja-x-easy": {
        "received_subject": "【{municipality}】しつもんを うけとりました（ばんごう {reference}）",
        "received_body": (
            "{municipality}です。あなたの しつもんを うけとりました。\n\n"
            "ばんごう：{reference}\n\n"
            "■あなたの しつもん\n{question}\n\n"
            "しやくしょの ひとが よんで、この メールアドレスに こたえを おくります。"
            "でんわで きくときは、ばんごうを いって ください。"
        ),
        "answered_subject": "【{municipality}】しつもんの こたえ（ばんごう {reference}）",
        "answered_body": (
            "{municipality}です。しつもんに こたえます。\n\n"
            "ばんごう：{reference}\n\n"
            "■あなたの しつもん\n{question}\n\n"
            "■こたえ\n{answer}"
        ),
        "footer": (
            "※この メールに へんじを しても、こたえる ことが できません。\n"
            "※わからない ときは、したの ばしょに れんらくして ください。\n\n"
            "{municipality}{contact}"
        ),
    },
    "en": {
        "received_subject": "[{municipality}] We received your question (reference {reference})",
        "received_body": (
            "This is {municipality}. We received your question.\n\n"
            "Reference: {reference}\n\n"
            "Your question:\n{question}\n\n"
            "City hall staff will read it and send the answer to this e-mail address. "
            "If you call us about it, please give the reference."
        ),
        "answered_subject": "[{municipality}] The answer to your question (reference {reference})",
        "answered_body": (
            "This is {municipality}. Here is the answer to your question.\n\n"
            "Reference: {reference}\n\n"
            "Your question:\n{question}\n\n"
            "Answer:\n{answer}"
        ),
        "footer": (
            "This message was sent from an address that does not receive replies.\n"
            "If you did not send this question, please contact us.\n\n"
            "{municipality}{contact}"
        ),
    },
    "zh-Hans": {
        "received_subject": "【{municipality}】已收到您的咨询（受理编号 {reference}）",
        "received_body": (
            "这里是{municipality}。我们已收到您的咨询。\n\n"
            "受理编号：{reference}\n\n"
            "■咨询内容\n{question}\n\n"
            "工作人员确认后，会将回答发送到此电子邮件地址。如需电话咨询，请告知受理编号。"
        ),
        "answered_subject": "【{municipality}】对您咨询的回答（受理编号 {reference}）",
        "answered_body": (
            "这里是{municipality}。现答复您的咨询。\n\n受理编号：{reference}\n\n■咨询内容\n{question}\n\n■回答\n{answer}"
        ),
        "footer": "※本邮件由仅用于发送的地址发出，回复本邮件将无法得到答复。\n※如非本人咨询，请与以下联系方式联系。\n\n{municipality}{contact}",
    },
    "zh-Hant": {
        "received_subject": "【{municipality}】已收到您的諮詢（受理編號 {reference}）",
        "received_body": (
            "這裡是{municipality}。我們已收到您的諮詢。\n\n"
            "受理編號：{reference}\n\n"
            "■諮詢內容\n{question}\n\n"
            "工作人員確認後，會將回答寄送到此電子郵件地址。如需電話諮詢，請告知受理編號。"
        ),
        "answered_subject": "【{municipality}】對您諮詢的回答（受理編號 {reference}）",
        "answered_body": (
            "這裡是{municipality}。現答覆您的諮詢。\n\n受理編號：{reference}\n\n■諮詢內容\n{question}\n\n■回答\n{answer}"
        ),
        "footer": "※本郵件由僅用於寄送的地址發出，回覆本郵件將無法得到答覆。\n※如非本人諮詢，請與以下聯絡方式聯絡。\n\n{municipality}{contact}",
    },
    "ko": {
        "received_subject": "[{municipality}] 문의를 접수했습니다 (접수 번호 {reference})",
        "received_body": (
            "{municipality}입니다. 문의를 접수했습니다.\n\n"
            "접수 번호: {reference}\n\n"
            "■문의 내용\n{question}\n\n"
            "직원이 확인한 후 이 이메일 주소로 답변을 보내 드립니다. 전화로 문의하실 때는 접수 번호를 알려 주세요."
        ),
        "answered_subject": "[{municipality}] 문의에 대한 답변 (접수 번호 {reference})",
        "answered_body": (
            "{municipality}입니다. 문의에 답변드립니다.\n\n접수 번호: {reference}\n\n■문의 내용\n{question}\n\n■답변\n{answer}"
        ),
        "footer": (
            "※이 메일은 발신 전용 주소에서 보냈습니다. 회신하셔도 답변할 수 없습니다.\n"
            "※문의하신 적이 없으시면 아래로 연락해 주세요.\n\n{municipality}{contact}"
        ),
    },
    "vi": {
        "received_subject": "[{municipality}] Chúng tôi đã nhận câu hỏi của bạn (mã số {reference})",
        "received_body": (
            "Đây là {municipality}. Chúng tôi đã nhận câu hỏi của bạn.\n\n"
            "Mã số: {reference}\n\n"
            "Câu hỏi của bạn:\n{question}\n\n"
            "Nhân viên tòa thị chính sẽ đọc và gửi câu trả lời đến địa chỉ e-mail này. "
            "Nếu gọi điện cho chúng tôi, vui lòng cho biết mã số."
        ),
        "answered_subject": "[{municipality}] Câu trả lời cho câu hỏi của bạn (mã số {reference})",
        "answered_body": (
            "Đây là {municipality}. Xin trả lời câu hỏi của bạn.\n\n"
            "Mã số: {reference}\n\nCâu hỏi của bạn:\n{question}\n\nCâu trả lời:\n{answer}"
        ),
        "footer": (
            "Thư này được gửi từ địa chỉ không nhận thư trả lời.\n"
            "Nếu bạn không gửi câu hỏi này, vui lòng liên hệ với chúng tôi.\n\n{municipality}{contact}"
        ),
    },
    "pt-BR": {
        "received_subject": "[{municipality}] Recebemos sua pergunta (referência {reference})",
        "received_body": (
            "Aqui é {municipality}. Recebemos sua pergunta.\n\n"
            "Referência: {reference}\n\n"
            "Sua pergunta:\n{question}\n\n"
            "Um funcionário da prefeitura vai lê-la e enviar a resposta para este e-mail. "
            "Se nos telefonar, informe a referência."
        ),
        "answered_subject": "[{municipality}] A resposta à sua pergunta (referência {reference})",
        "answered_body": (
            "Aqui é {municipality}. Esta é a resposta à sua pergunta.\n\n"
            "Referência: {reference}\n\nSua pergunta:\n{question}\n\nResposta:\n{answer}"
        ),
        "footer": (
            "Esta mensagem foi enviada de um endereço que não recebe respostas.\n"
            "Se você não enviou esta pergunta, entre em contato conosco.\n\n{municipality}{contact}"
        ),
    },
    "tl": {
        "received_subject": "[{municipality}] Natanggap namin ang inyong tanong (reference {reference})",
        "received_body": (
            "Ito ang {municipality}. Natanggap namin ang inyong tanong.\n\n"
            "Reference: {reference}\n\n"
            "Ang inyong tanong:\n{question}\n\n"
            "Babasahin ito ng kawani ng city hall at ipapadala ang sagot sa e-mail address na ito. "
            "Kung tatawag kayo, pakibanggit ang reference."
        ),
        "answered_subject": "[{municipality}] Ang sagot sa inyong tanong (reference {reference})",
        "answered_body": (
            "Ito ang {municipality}. Narito ang sagot sa inyong tanong.\n\n"
            "Reference: {reference}\n\nAng inyong tanong:\n{question}\n\nSagot:\n{answer}"
        ),
        "footer": (
            "Ipinadala ang mensaheng ito mula sa address na hindi tumatanggap ng sagot.\n"
            "Kung hindi kayo ang nagpadala ng tanong na ito, makipag-ugnayan po sa amin.\n\n{municipality}{contact}"
        ),
    },
    "ne": {
        "received_subject": "[{municipality}] तपाईंको प्रश्न प्राप्त भयो (सन्दर्भ नम्बर {reference})",
        "received_body": (
            "यो {municipality} हो। तपाईंको प्रश्न प्राप्त भयो।\n\n"
            "सन्दर्भ नम्बर: {reference}\n\n"
            "तपाईंको प्रश्न:\n{question}\n\n"
            "नगरपालिकाका कर्मचारीले पढेर यही इमेल ठेगानामा उत्तर पठाउनेछन्। "
            "फोन गर्दा कृपया सन्दर्भ नम्बर भन्नुहोस्।"
        ),
        "answered_subject": "[{municipality}] तपाईंको प्रश्नको उत्तर (सन्दर्भ नम्बर {reference})",
        "answered_body": (
            "यो {municipality} हो। तपाईंको प्रश्नको उत्तर यहाँ छ।\n\n"
            "सन्दर्भ नम्बर: {reference}\n\nतपाईंको प्रश्न:\n{question}\n\nउत्तर:\n{answer}"
        ),
        "footer": (
            "यो सन्देश जवाफ नलिने ठेगानाबाट पठाइएको हो।\n"
            "यदि तपाईंले यो प्रश्न पठाउनुभएको छैन भने कृपया हामीलाई सम्पर्क गर्नुहोस्।\n\n{municipality}{contact}"
        ),
    },
    "id": {
        "received_subject": "[{municipality}] Pertanyaan Anda telah kami terima (nomor referensi {reference})",
        "received_body": (
            "Ini adalah {municipality}. Pertanyaan Anda telah kami terima.\n\n"
            "Nomor referensi: {reference}\n\n"
            "Pertanyaan Anda:\n{question}\n\n"
            "Petugas balai kota akan membacanya dan mengirim jawaban ke alamat e-mail ini. "
            "Jika Anda menelepon kami, sebutkan nomor referensinya."
        ),
        "answered_subject": "[{municipality}] Jawaban atas pertanyaan Anda (nomor referensi {reference})",
        "answered_body": (
            "Ini adalah {municipality}. Berikut jawaban atas pertanyaan Anda.\n\n"
            "Nomor referensi: {reference}\n\nPertanyaan Anda:\n{question}\n\nJawaban:\n{answer}"
        ),
        "footer": (
            "Pesan ini dikirim dari alamat yang tidak menerima balasan.\n"
            "Jika Anda tidak mengirim pertanyaan ini, silakan hubungi kami.\n\n{municipality}{contact}"
        ),
    },
}


def inquiry_mail(
    *, kind: str, language: str, municipality: str, reference: str, question: str, answer: str = "", phone: str = ""
) -> tuple[str, str]:
    """Return the subject and body of the ``kind`` (``received``, ``answered``) e-mail in ``language``."""
    texts = MAIL_TEXTS.get(language) or MAIL_TEXTS["en"]
    values = {
        "municipality": municipality,
        "reference": reference,
        "question": question,
        "answer": answer,
        "contact": f"\n{phone}" if phone else "",
    }
    subject = texts[f"{kind}_subject"].format(**values)
    body = texts[f"{kind}_body"].format(**values) + "\n\n" + "―" * 20 + "\n" + texts["footer"].format(**values)
    return " ".join(subject.split()), body + "\n"
