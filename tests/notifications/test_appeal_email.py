"""The rejection e-mail carries the 教示 (issue #12): how to request a review and to sue, in the
resident's language; an approval carries none."""


def test_a_japanese_rejection_email_says_where_and_until_when_to_request_a_review_and_to_sue(submit, staff, decide):
    notification = decide(staff, submit().case, approve=False, reason="印鑑登録がありません。")

    body = notification.body
    assert "■この決定に不服がある場合（教示）" in body
    assert "3か月以内に、青葉市長に対して審査請求をすることができます" in body
    assert "6か月以内に、青葉市を被告として（訴訟において青葉市を代表する者は青葉市長となります。）" in body


def test_an_english_rejection_email_carries_the_same_notice_in_english(submit, staff, decide):
    notification = decide(staff, submit(language="en").case, approve=False, reason="Not registered.")

    body = notification.body
    assert "If you object to this decision (教示):" in body
    assert "request a review (審査請求) by the Mayor of Aoba City within 3 months" in body
    assert "within 6 months from the day after you learned of it, against Aoba City" in body
    assert "(represented in the lawsuit by the Mayor of Aoba City)" in body


def test_an_approval_email_carries_no_appeal_notice(submit, staff, decide):
    notification = decide(staff, submit().case, approve=True)

    assert "教示" not in notification.body and "審査請求" not in notification.body
