"""System check: the document font (Debian's fonts-noto-cjk) is on this machine.

A warning in development (the portal works; only issued PDFs need the font) and an error under
``check --deploy``, where a missing font would stop every decision notice from being issued.
"""

from django.core.checks import Error, Warning, register

from madoguchi.signatures.documents.fonts import document_font_problem


def _font_messages(level: type) -> list:
    problem = document_font_problem()
    if not problem:
        return []
    return [
        level(
            problem,
            hint="PDFs are set in Noto Sans CJK JP from Debian's fonts-noto-cjk: apt-get install fonts-noto-cjk.",
            id="signatures.E001" if level is Error else "signatures.W001",
        )
    ]


@register("signatures")
def check_document_font(app_configs, **kwargs) -> list:
    return _font_messages(Warning)


@register("signatures", deploy=True)
def check_document_font_deploy(app_configs, **kwargs) -> list:
    return _font_messages(Error)
