"""What a door may read from the demo: only the demo software card today.

The portal offers the demo card on the confirmation page when the settings allow it
(``MADOGUCHI_DEMO_SOFTWARE_CARD``, refused in production) and ``madoguchi demo`` has made
it next to the signatures file. The portal asks here instead of knowing where the demo
PKI keeps its files.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from madoguchi.demo.pki import SOFTWARE_CARD_FILE
from madoguchi.signatures.config import signatures_file


def demo_software_card_path() -> Path | None:
    """Return the demo software card's PKCS#12 file if it is offered, else None."""
    if not settings.MADOGUCHI_DEMO_SOFTWARE_CARD:
        return None
    config = signatures_file()
    if config is None:
        return None
    card = config.parent / SOFTWARE_CARD_FILE
    return card if card.exists() else None
