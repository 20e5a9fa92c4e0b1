"""Build hook: put what a running instance needs beside the Python sources in the wheel.

Metadata lives in pyproject.toml; this file only adds a build step. A wheel then holds the
compiled translations (``.mo``), the procedure catalog, the vendored front-end files and the
PDF font (``madoguchi/assets/``, see ``src/madoguchi/conf/assets.py``), so a server installs it
with pip alone: no npm, no gettext, no checkout. Build after ``make setup`` (which ran
``npm ci``) with ``make dist`` or ``pip wheel --no-deps .``. The build stops with a reason
when node_modules or msgfmt is missing rather than make a wheel that cannot issue documents.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCE_PACKAGE = ROOT / "src" / "madoguchi"


def _assets_table():
    spec = importlib.util.spec_from_file_location("_madoguchi_assets", SOURCE_PACKAGE / "conf" / "assets.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithAssets(build_py):
    """build_py that also compiles the message catalogues and copies the catalog, static files and font."""

    def run(self) -> None:
        super().run()
        # An editable install reads everything from the checkout, which has node_modules by then.
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "madoguchi"
        self._compile_messages(target)
        self._copy_assets(target)

    def _compile_messages(self, target: Path) -> None:
        sources = sorted(SOURCE_PACKAGE.rglob("locale/*/LC_MESSAGES/*.po"))
        msgfmt = shutil.which("msgfmt")
        for po in sources:
            mo = target / po.relative_to(SOURCE_PACKAGE).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            if msgfmt:
                subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603
            elif po.with_suffix(".mo").is_file() and po.with_suffix(".mo").stat().st_mtime >= po.stat().st_mtime:
                shutil.copy2(po.with_suffix(".mo"), mo)
            else:
                raise SystemExit(f"msgfmt (GNU gettext) is needed to compile {po.relative_to(ROOT)}.")

    def _copy_assets(self, target: Path) -> None:
        table = _assets_table()
        node_modules = ROOT / "node_modules"
        catalog = ROOT / "catalog"
        if not all((node_modules / package).is_dir() for package in table.NPM_PACKAGES):
            raise SystemExit("node_modules is missing the front-end packages: run `npm ci` first.")
        if not catalog.is_dir():
            raise SystemExit("catalog/ is missing: build from the project's source tree.")
        assets = target / "assets"
        if assets.exists():
            shutil.rmtree(assets)
        for prefix, directory in table.FRONTEND_STATIC.items():
            shutil.copytree(node_modules / directory, assets / table.PACKAGED_STATIC / prefix)
        shutil.copytree(catalog, assets / table.PACKAGED_CATALOG, ignore=shutil.ignore_patterns("*~", ".*"))
        for package in table.NPM_PACKAGES:
            licenses = assets / table.PACKAGED_LICENSES / package
            licenses.mkdir(parents=True)
            for name in ("LICENSE", "LICENSE.md", "LICENSE.txt", "package.json"):
                if (node_modules / package / name).is_file():
                    shutil.copy2(node_modules / package / name, licenses / name)
        for name in table.LICENSE_FILES:
            shutil.copy2(ROOT / "licenses" / name, assets / table.PACKAGED_LICENSES / name)


setup(cmdclass={"build_py": BuildWithAssets})
