"""Smoke checks of the PyInstaller bundle (build.spec): the bundled executable, not the source tree.

Marked ``bundle`` and deselected by default (building takes minutes). Run them with
``scripts/build-bundle``, which builds dist/bidclient/ and then runs this file against it; or with
``pytest -m bundle tests/test_bundle.py``, which builds the bundle first unless BIDCLIENT_BUNDLE names
an already built executable.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

import pytest

import bidclient
from devtools.pki import DevPki

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parent.parent
# Size of the bundle as measured when build.spec was written (about 230 MB, 100 of them Qt); a jump
# past this means something heavy (QtWebEngine, the server stack…) slipped in.
MAX_BUNDLE_BYTES = 280 * 1024 * 1024


@pytest.fixture(scope="module")
def bundle() -> Path:
    """The bundled executable: BIDCLIENT_BUNDLE if set (scripts/build-bundle has just built it),
    else built here from build.spec."""
    named = os.environ.get("BIDCLIENT_BUNDLE")
    if named:
        executable = Path(named).resolve()
        assert executable.is_file(), f"BIDCLIENT_BUNDLE={named} is not a file"
        return executable
    pyinstaller = shutil.which("pyinstaller", path=str(Path(sys.executable).parent)) or shutil.which("pyinstaller")
    assert pyinstaller, "PyInstaller is not installed: pip install -e '.[build]' (or run scripts/build-bundle)"
    subprocess.run([pyinstaller, "--noconfirm", "--log-level", "WARN", str(ROOT / "build.spec")], cwd=ROOT,
                   check=True, timeout=1800)
    return ROOT / "dist" / "bidclient" / "bidclient"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private HOME/XDG_CONFIG_HOME, so the app's QSettings and the CLI's config are not the user's."""
    return tmp_path_factory.mktemp("bundle-home")


def run(bundle: Path, args: list[str], home: Path, extra_env: Mapping[str, str] | None = None,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # English messages and no interpreter settings that could leak into the frozen one.
    dropped = ("PYTHON", "BIDCLIENT_LANG", "LC_ALL", "LC_MESSAGES")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "LANG": "C.UTF-8"})
    env.update(extra_env or {})
    return subprocess.run([str(bundle), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False, cwd=home)


def test_version_is_the_package_version(bundle: Path, home: Path) -> None:
    done = run(bundle, ["--version"], home)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"bidclient {bidclient.__version__}"


def test_cli_messages_are_translated_as_in_the_source_tree(bundle: Path, home: Path) -> None:
    """resources/locale is found inside the bundle: the zh_CN help is the source tree's, in Chinese."""
    frozen = run(bundle, ["--help"], home, {"BIDCLIENT_LANG": "zh_CN"})
    source = subprocess.run([sys.executable, "-m", "ui.launcher", "--help"], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={**os.environ, "BIDCLIENT_LANG": "zh_CN"})
    assert frozen.returncode == 0, frozen.stderr
    assert frozen.stdout == source.stdout
    assert re.search(r"[\u4e00-\u9fff]", frozen.stdout), "the help is not in Chinese"


def test_bundle_holds_the_data_and_not_the_excluded_parts(bundle: Path) -> None:
    internal = bundle.parent / "_internal"
    for data in ("resources/fonts/DroidSansFallbackFull.ttf", "resources/translations/bidclient_zh_CN.qm",
                 "resources/locale/zh_CN/bidclient.po"):
        assert (internal / data).is_file(), f"{data} is missing from the bundle"
    present = {path.name for path in internal.rglob("*")}
    for excluded in ("libQt6WebEngineCore.so.6", "libQt6Qml.so.6", "libQt6Quick.so.6", "libQt6Sql.so.6",
                     "fastapi", "sqlalchemy", "uvicorn", "alembic", "qt_ar.qm"):
        assert excluded not in present, f"{excluded} should not be in the bundle"
    # Symbolic links (PyInstaller links Qt's libraries into the top folder) take no space.
    size = sum(path.stat().st_size for path in bundle.parent.rglob("*") if path.is_file() and not path.is_symlink())
    assert size < MAX_BUNDLE_BYTES, f"bundle is {size / 2**20:.0f} MiB"


def test_keys_lists_the_softhsm_tokens(bundle: Path, home: Path, pki: DevPki) -> None:
    """The bundled `keys` (python-pkcs11's compiled extension loading the SoftHSM module) lists the dev
    PKI's tokens (made from the source tree: the developer tools are not in the bundle)."""
    assert pki.softhsm_conf is not None
    listed = run(bundle, ["keys"], home, {"SOFTHSM2_CONF": str(pki.softhsm_conf)})
    assert listed.returncode == 0, listed.stderr
    for token in ("ent-a-rsa", "ent-b", "opener-1"):
        assert f"Token {token} " in listed.stdout
    assert "pkcs11:token=ent-a-rsa;" in listed.stdout
    assert "示例建设工程有限公司" in listed.stdout


def test_the_developer_tools_are_not_in_the_bundle(bundle: Path, home: Path) -> None:
    """devtools/ (demo PKI, demo) is excluded by build.spec, and the product CLI offers no dev-pki or demo."""
    internal = bundle.parent / "_internal"
    assert not [path for path in internal.rglob("*") if "devtools" in path.parts]
    archive = subprocess.run([sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "--list",
                              "--recursive", str(bundle)], capture_output=True, text=True, check=False)
    if archive.returncode == 0:  # the bundled modules (PYZ), when this PyInstaller can list them
        assert "devtools" not in archive.stdout
    helped = run(bundle, ["--help"], home)
    assert helped.returncode == 0, helped.stderr
    assert "dev-pki" not in helped.stdout and " demo " not in helped.stdout


def _seal(bundle: Path, home: Path, pki: DevPki, folder: Path, output: Path) -> subprocess.CompletedProcess[str]:
    signer = pki.party("ent-a").signing_uri
    opener_cert = pki.party("opener-1").encryption_cert
    assert signer and opener_cert
    return run(bundle, ["seal", str(folder), "--key", signer, "--to", str(opener_cert), "--tender-id", "ZB-SMOKE",
                        "-o", str(output)], home, {"SOFTHSM2_CONF": str(pki.softhsm_conf)})


@pytest.fixture(scope="module")
def sealed(bundle: Path, home: Path, pki: DevPki, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A bid folder and the sealed bid the bundled executable made of it with ent-a's token."""
    work = tmp_path_factory.mktemp("bundle-seal")
    folder = work / "投标文件"
    folder.mkdir()
    (folder / "投标函.txt").write_text("投标总价：壹佰万元整\n", encoding="utf-8")
    (folder / "data.bin").write_bytes(os.urandom(200_000))
    output = work / "bid.bid"
    done = _seal(bundle, home, pki, folder, output)
    assert done.returncode == 0, done.stderr
    assert "self-check: passed" in done.stdout
    return folder, output


def test_seal_unseal_round_trip_with_tokens_and_live_revocation(bundle: Path, home: Path, pki: DevPki,
                                                                 sealed: tuple[Path, Path], tmp_path: Path) -> None:
    """Sealed and opened by the bundle; revocation hard-fail proves the bundled OCSP/CRL fetchers work."""
    folder, bid = sealed
    opener = pki.party("opener-1").encryption_uri
    assert opener
    out = tmp_path / "opened"
    done = run(bundle, ["unseal", str(bid), "--key", opener, "--trust", str(pki.trust_dir),
                        "--revocation", "hard-fail", "-o", str(out)], home, {"SOFTHSM2_CONF": str(pki.softhsm_conf)})
    assert done.returncode == 0, done.stderr
    assert "signature trusted" in done.stdout
    for original in folder.iterdir():
        assert (out / original.name).read_bytes() == original.read_bytes()


def test_openssl_opens_what_the_bundle_sealed(pki: DevPki, sealed: tuple[Path, Path], tmp_path: Path) -> None:
    folder, bid = sealed
    opener = pki.party("opener-1")
    assert opener.encryption_cert and opener.encryption_key
    inner = tmp_path / "inner.zip"
    subprocess.run(["openssl", "cms", "-decrypt", "-inform", "DER", "-in", str(bid), "-recip",
                    str(opener.encryption_cert), "-inkey", str(opener.encryption_key),
                    "-out", str(inner)], check=True, capture_output=True)
    with zipfile.ZipFile(inner) as archive:
        assert archive.read("投标函.txt") == (folder / "投标函.txt").read_bytes()
        assert {"manifest.json", "manifest.json.p7s"} <= set(archive.namelist())


def test_unseal_with_a_key_that_is_not_a_recipient_fails_with_a_message(bundle: Path, home: Path, pki: DevPki,
                                                                       sealed: tuple[Path, Path],
                                                                       tmp_path: Path) -> None:
    _, bid = sealed
    outsider = pki.party("ent-b").encryption_uri
    assert outsider
    out = tmp_path / "opened"
    done = run(bundle, ["unseal", str(bid), "--key", outsider, "--trust", str(pki.trust_dir), "-o", str(out)],
               home, {"SOFTHSM2_CONF": str(pki.softhsm_conf)})
    assert done.returncode != 0
    assert re.search(r"\[[a-z_]+\.[a-z_.]+\]", done.stderr), done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists() or not any(out.iterdir())


def test_app_starts_offscreen_with_the_cjk_font_and_quits(bundle: Path, home: Path) -> None:
    done = run(bundle, [], home, {"QT_QPA_PLATFORM": "offscreen", "BIDCLIENT_SMOKE_QUIT_AFTER_MS": "1500"},
               timeout=60)
    assert done.returncode == 0, done.stderr
    assert "smoke: bidclient" in done.stdout, done.stdout + done.stderr
    assert "Droid Sans Fallback" in done.stdout


def test_app_opens_a_window_on_an_x_server(bundle: Path, home: Path) -> None:
    """Qt's xcb platform plugin and the X libraries it links against are in the bundle (a desktop
    does not necessarily have libxcb-icccm/keysyms). Xvfb is installed by scripts/bootstrap.sh."""
    xvfb_run = shutil.which("xvfb-run")
    assert xvfb_run, "xvfb-run is missing: install the Debian package xvfb (scripts/bootstrap.sh does)"
    env = {key: value for key, value in os.environ.items()
           if key not in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY") and not key.startswith("PYTHON")}
    env.update({"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "LANG": "C.UTF-8",
                "BIDCLIENT_SMOKE_QUIT_AFTER_MS": "1500"})
    done = subprocess.run([xvfb_run, "-a", str(bundle)], env=env, capture_output=True, text=True, timeout=120,
                          check=False, cwd=home)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "smoke: bidclient" in done.stdout, done.stdout + done.stderr
