"""Files an instance needs that are not Python sources: where a checkout has them, where a wheel does.

A checkout reads the procedure catalog from ``catalog/`` and the front-end files from
``node_modules/`` (``npm ci``). The PDF font is not shipped: it is Debian's ``fonts-noto-cjk``,
installed on every machine with apt-get (README, docs/signatures.md). A wheel carries copies of them under ``madoguchi/assets/``,
put there by ``setup.py`` when the wheel is built, so a server installs the wheel and needs
neither npm nor a checkout. The settings use the checkout's copies when they are there and the
packaged ones otherwise; ``setup.py`` reads the tables below, so both sides name the same files.

This module is plain Python (no Django) because ``setup.py`` loads it before anything is installed.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
# Inside the installed package; absent from a checkout (the build writes it only into the wheel).
PACKAGED_ASSETS_DIR = PACKAGE_DIR / "assets"

# Static URL prefix -> the directory under node_modules whose files are served there.
FRONTEND_STATIC = {
    "vendor/design-tokens": "@digital-go-jp/design-tokens/dist",
    # The portal's demo software-card signer reads PKCS#12 and signs in the browser.
    "vendor/node-forge": "node-forge/dist",
}
# Issued PDFs: Noto Sans CJK JP 2.x (draws JIS X 0213 names such as 𠮷 and 髙), from Debian's
# fonts-noto-cjk: one collection file whose Japanese face is picked by name.
SYSTEM_PDF_FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
SYSTEM_PDF_FONT_FACE = "Noto Sans CJK JP"
# The npm packages copied from, whose licence files travel with the copies.
NPM_PACKAGES = ("@digital-go-jp/design-tokens", "node-forge")
# Licence texts of the checkout's own licenses/ directory that travel with the wheel: the PDF
# font's (SIL OFL 1.1), since every issued PDF embeds a subset of it.
LICENSE_FILES = ("NotoSansCJK-OFL-1.1.txt",)

# Where the copies sit inside PACKAGED_ASSETS_DIR.
PACKAGED_STATIC = "static"
PACKAGED_CATALOG = "catalog"
PACKAGED_LICENSES = "licenses"


def staticfiles_dirs(node_modules: Path, *, prefer_packaged: bool) -> list:
    """Return STATICFILES_DIRS: the packaged copies, or the node_modules directories by prefix."""
    if prefer_packaged:
        return [PACKAGED_ASSETS_DIR / PACKAGED_STATIC]
    return [(prefix, node_modules / directory) for prefix, directory in FRONTEND_STATIC.items()]


def use_packaged_frontend(node_modules: Path, *, configured: bool) -> bool:
    """Whether to read front-end files from the wheel rather than ``node_modules``.

    An explicitly configured node_modules directory always wins; otherwise the packaged copies
    are used when there is no node_modules next to the working directory and the wheel has them.
    """
    return not configured and not node_modules.is_dir() and (PACKAGED_ASSETS_DIR / PACKAGED_STATIC).is_dir()


def catalog_dir(base_dir: Path) -> Path:
    """Return the procedure catalog: ``catalog/`` under the base directory, else the packaged copy."""
    checkout = base_dir / "catalog"
    packaged = PACKAGED_ASSETS_DIR / PACKAGED_CATALOG
    if not checkout.is_dir() and packaged.is_dir():
        return packaged
    return checkout
