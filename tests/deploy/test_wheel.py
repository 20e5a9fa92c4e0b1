"""The wheel is a working instance: translations, catalog and static files inside, no checkout needed.

The PDF font is not inside: it is Debian's fonts-noto-cjk on the server (its OFL licence text is).

The wheel is built from a copy of the source tree as git sees it (what a clean checkout holds,
with node_modules from ``make setup`` beside it), installed with ``--no-deps`` into a fresh
virtual environment that borrows this one's dependencies, and run from an empty directory.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from tests.deploy.tools import REPO_DIR, clean_environ

CATALOG = sorted(path.name for path in (REPO_DIR / "catalog").glob("*.yaml"))
PACKAGE_FILES = [
    "madoguchi/locale/ja/LC_MESSAGES/django.mo",
    "madoguchi/locale/en/LC_MESSAGES/django.mo",
    "madoguchi/assets/licenses/NotoSansCJK-OFL-1.1.txt",
    "madoguchi/assets/static/vendor/design-tokens/tokens.css",
    "madoguchi/assets/static/vendor/node-forge/forge.min.js",
    "madoguchi/assets/licenses/node-forge/LICENSE",
    *(f"madoguchi/assets/catalog/{name}" for name in CATALOG),
]
# Printed by the installed instance: where its settings found each kind of file.
PROBE = """
from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils import translation
import madoguchi
print("package", madoguchi.__file__)
print("catalog", settings.MADOGUCHI_CATALOG_DIR)
print("font", settings.MADOGUCHI_PDF_FONT)
print("static", finders.find("vendor/design-tokens/tokens.css"))
translation.activate("ja")
print("ja", translation.gettext("Apply online"))
"""


def run(command: list[str], cwd: Path, **environ: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, env=clean_environ(**environ), capture_output=True, text=True, timeout=180, check=False
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    if not (REPO_DIR / "node_modules" / "node-forge").is_dir():
        pytest.fail("node_modules is missing: run `make setup` first")
    source = tmp_path_factory.mktemp("source")
    listed = run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], REPO_DIR)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO_DIR / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_DIR / name, source / name)
    (source / "node_modules").symlink_to(REPO_DIR / "node_modules")
    out = tmp_path_factory.mktemp("wheel")
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(out), str(source)], source)
    assert built.returncode == 0, built.stderr
    (wheel,) = out.glob("madoguchi-*.whl")
    return wheel


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel, borrowing this environment's dependencies."""
    venv = tmp_path_factory.mktemp("venv")
    created = run([sys.executable, "-m", "venv", "--without-pip", str(venv)], venv)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    site_packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], venv).stdout.strip())
    # A plain path line: this environment's packages become importable, its editable checkout does not.
    (site_packages / "_borrowed_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    done = run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)], venv)
    assert done.returncode == 0, done.stderr
    return venv


def test_the_wheel_holds_translations_catalog_licences_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())

    assert [name for name in PACKAGE_FILES if name not in names] == []
    assert not [name for name in names if name.endswith((".woff", ".ttc", ".otf", ".ttf"))]


def test_the_installed_wheel_runs_from_a_directory_without_a_checkout(installed, tmp_path):
    production = {
        "DJANGO_SETTINGS_MODULE": "madoguchi.conf.settings.production",
        "MADOGUCHI_SECRET_KEY": "wheel-test-" + "k" * 50,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'madoguchi.sqlite3'}",
        "MADOGUCHI_PUBLIC_URL": "https://madoguchi.example.jp",  # required in production (madoguchi.E001)
    }
    madoguchi = str(installed / "bin" / "madoguchi")

    probe = run([madoguchi, "shell", "-c", PROBE], tmp_path, **production)
    check = run([madoguchi, "check", "--deploy"], tmp_path, **production)
    catalog = run([madoguchi, "catalog", "check"], tmp_path, **production)

    assert probe.returncode == 0, probe.stderr
    lines = dict(line.split(" ", 1) for line in probe.stdout.splitlines() if " " in line)
    package = Path(lines["package"]).parent
    assert package.is_relative_to(installed), "the instance ran the checkout, not the wheel"
    assert Path(lines["catalog"]) == package / "assets" / "catalog"
    assert Path(lines["font"]) == Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")  # Debian's
    assert Path(lines["static"]).is_relative_to(package / "assets" / "static")
    assert lines["ja"] != "Apply online", "the Japanese catalogue was not compiled into the wheel"
    assert check.returncode == 0, check.stderr
    assert "staticfiles.W004" not in check.stderr
    assert catalog.returncode == 0, catalog.stderr + catalog.stdout
