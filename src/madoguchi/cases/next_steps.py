"""What happens after an application is received (受付後の流れ), told the same way everywhere.

The completion page and the 受付 e-mail both show :func:`case_next_steps`, so a resident who
reads one and then the other is never told two different stories. The processing period is
the procedure's 標準処理期間 (``processing_period_days``, in business days or, where the definition says so, calendar days) and the expected
date is the case's own due date, counted from the day it was received.

The access code is never part of these lines: they go into e-mail too, and a mailbox is not
a safe place for it.
"""

from __future__ import annotations

from django.utils.translation import get_language, gettext

from madoguchi.cases.models import Case
from madoguchi.jp.wareki import format_date
from madoguchi.procedures.wording import processing_period_text


def case_next_steps(*, case: Case, emailed: bool) -> list[str]:
    """Return the paragraphs that tell the resident what happens next, in the active language.

    ``emailed`` says whether the resident gave an e-mail address, i.e. whether they will be
    told of a correction request or a decision by e-mail as well as on the status page.
    """
    period = gettext("The standard processing period is %(period)s.") % {
        "period": processing_period_text(case.procedure_version.definition)
    }
    expected = ""
    if case.due_date is not None:
        # The status page's way of writing dates (10 December 2026), not Django's (Dec. 10, 2026).
        expected = gettext("We expect to decide by %(date)s.") % {
            "date": format_date(case.due_date, get_language() or "ja")
        }
    if emailed:
        told = gettext(
            "If anything needs to be corrected or added, and when a decision is made, we will tell you by "
            "e-mail and on the status page."
        )
    else:
        told = gettext(
            "If anything needs to be corrected or added, and when a decision is made, you will see it on the "
            "status page."
        )
    return [
        _sentences(gettext("The office in charge will now review your application."), period, expected),
        told,
        gettext(
            "To check the status, open the status page and enter your receipt number and access code. "
            "Documents issued for your application can be downloaded there."
        ),
    ]


def _sentences(*sentences: str) -> str:
    # Japanese runs sentences together after 。; languages that end them with "." need a space.
    text = ""
    for sentence in filter(None, sentences):
        text += sentence if not text or text.endswith("。") else " " + sentence
    return text
