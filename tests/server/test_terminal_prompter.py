"""The CLI's Prompter (bidclient.cli.prompt.TerminalPrompter), through real ``bidclient`` runs.

A question the core asks (here: `trust sync` meeting a server CA other than the pinned one) is asked on a
terminal — a real pseudo-terminal the test types into — and a yes does exactly what was asked; without a
terminal nothing is asked and nothing changes. PINs come from --pin-source when given.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bidclient.trust_sync import ca_pin_path, fingerprint, grouped

ROOT = Path(__file__).resolve().parents[2]


def _env(config: Path) -> dict[str, str]:
    env = dict(os.environ, XDG_CONFIG_HOME=str(config), BIDCLIENT_NO_KEYRING="1", BIDCLIENT_LANG="en",
               PYTHONPATH=str(ROOT))
    env.pop("BIDCLIENT_TRUST", None)
    return env


def run_on_terminal(args: list[str], env: dict[str, str], answer: str | None, *, expect: bytes = b"to go on",
                    timeout: float = 60, command: list[str] | None = None) -> tuple[int, str]:
    """Run ``bidclient ARGS`` (or ``command``) on a pseudo-terminal; type ``answer`` once ``expect`` is shown."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(command or [sys.executable, "-m", "bidclient.cli.main", *args], stdin=terminal,
                               stdout=terminal, stderr=terminal, env=env, close_fds=True)
    os.close(terminal)
    seen = b""
    answered = answer is None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(controller, 4096)
                except OSError:  # the program ended and closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if not answered and expect in seen:
                os.write(controller, answer.encode() + b"\n")  # type: ignore[union-attr]
                answered = True
            if process.poll() is not None and not ready:
                break
        status = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(controller)
    return status, seen.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def changed_ca(live_server, tmp_path: Path,  # type: ignore[no-untyped-def]
               monkeypatch: pytest.MonkeyPatch) -> tuple[Path, x509.Certificate, x509.Certificate]:
    """A client whose pinned CA for the server is another one (an impostor's, as after a re-keying)."""
    from server.keys import generate, load

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    generate(tmp_path / "impostor")
    impostor = load(tmp_path / "impostor").ca_certificate
    pin = ca_pin_path(live_server.url)
    pin.parent.mkdir(parents=True)
    pin.write_bytes(impostor.public_bytes(serialization.Encoding.PEM))
    real = x509.load_pem_x509_certificate((live_server.data / "keys" / "ca.pem").read_bytes())
    return pin, impostor, real


def test_a_changed_server_ca_is_asked_about_on_the_terminal_and_yes_accepts_it(  # type: ignore[no-untyped-def]
        live_server, changed_ca, tmp_path: Path) -> None:
    pin, impostor, real = changed_ca
    target = tmp_path / "trust"
    status, shown = run_on_terminal(["trust", "sync", "--server", live_server.url, "--trust-dir", str(target)],
                                    _env(tmp_path / "config"), "accept")
    assert status == 0, shown
    # The person saw both fingerprints before saying yes.
    assert grouped(fingerprint(impostor)) in shown and grouped(fingerprint(real)) in shown
    assert "Installed the trust list" in shown
    assert pin.read_bytes() == real.public_bytes(serialization.Encoding.PEM)
    assert any(target.iterdir())


def test_no_on_the_terminal_changes_nothing(live_server, changed_ca, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pin, impostor, _real = changed_ca
    target = tmp_path / "trust"
    status, shown = run_on_terminal(["trust", "sync", "--server", live_server.url, "--trust-dir", str(target)],
                                    _env(tmp_path / "config"), "no")
    assert status != 0, shown
    assert "trust.server_ca_changed" in shown and "Traceback" not in shown
    assert pin.read_bytes() == impostor.public_bytes(serialization.Encoding.PEM)
    assert not target.exists()


def test_without_a_terminal_nothing_is_asked_and_nothing_changes(  # type: ignore[no-untyped-def]
        live_server, changed_ca, tmp_path: Path) -> None:
    pin, impostor, real = changed_ca
    target = tmp_path / "trust"
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "trust", "sync", "--server",
                           live_server.url, "--trust-dir", str(target)], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=_env(tmp_path / "config"), timeout=60, check=False)
    assert done.returncode != 0
    assert "trust.server_ca_changed" in done.stderr and "--accept-ca" in done.stderr
    assert "to go on" not in done.stderr + done.stdout and "Traceback" not in done.stderr
    assert pin.read_bytes() == impostor.public_bytes(serialization.Encoding.PEM) and not target.exists()
    # The fingerprint confirmed out of band is the script's way to say yes.
    done = subprocess.run([sys.executable, "-m", "bidclient.cli.main", "trust", "sync", "--server",
                           live_server.url, "--trust-dir", str(target), "--accept-ca", fingerprint(real)],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, env=_env(tmp_path / "config"),
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert pin.read_bytes() == real.public_bytes(serialization.Encoding.PEM)


def test_login_takes_the_pin_from_pin_source_and_refuses_to_ask_without_a_terminal(  # type: ignore[no-untyped-def]
        live_server, pki, tmp_path: Path) -> None:
    env = _env(tmp_path / "config")
    key = re.sub(r"[?&]pin-source=[^&]*", "", pki.party("ent-a").signing_uri)  # no PIN in the URI itself
    assert "pin-source" not in key
    base = [sys.executable, "-m", "bidclient.cli.main", "login", "--server", live_server.url, "--key", key]
    done = subprocess.run(base, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, timeout=120,
                          check=False)
    assert done.returncode != 0 and "--pin-source" in done.stderr and "Traceback" not in done.stderr
    env["FLOWS_TEST_PIN"] = Path(pki.pin_file).read_text().strip()
    done = subprocess.run([*base, "--pin-source", "env:FLOWS_TEST_PIN"], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Logged in to" in done.stdout


# The prompter's other questions, asked the way a command would ask them (no command asks them yet).
ASK = """
import sys
from bidclient.cli.prompt import TerminalPrompter
from bidclient.errors import describe
from bidclient.interaction import Choice, Question, Severity
p = TerminalPrompter(assume_yes=sys.argv[2] == "yes")
try:
    if sys.argv[1] == "choose":
        print("chosen:", p.choose("Which key signs?", [Choice("Enterprise A", "9111"), Choice("Enterprise B")]))
    else:
        print("confirmed:", p.confirm(Question("Release your key?", "It opens the bids of T-1.",
                                                severity=Severity.DANGER)))
except Exception as ex:
    print(describe(ex).render(), file=sys.stderr)
    sys.exit(describe(ex).exit_status)
"""


def _script(*args: str) -> list[str]:
    return [sys.executable, "-c", ASK, *args]


def test_choose_lists_the_options_on_the_terminal_and_returns_the_one_typed(tmp_path: Path) -> None:
    status, shown = run_on_terminal([], _env(tmp_path), "2", expect=b"cancel", command=_script("choose", "no"))
    assert status == 0, shown
    assert "1. Enterprise A — 9111" in shown and "2. Enterprise B" in shown
    assert "chosen: 1" in shown


def test_confirm_is_yes_with_yes_asked_on_a_terminal_and_refused_without_one(tmp_path: Path) -> None:
    status, shown = run_on_terminal([], _env(tmp_path), "yes", command=_script("confirm", "no"))
    assert status == 0 and "It opens the bids of T-1." in shown and "confirmed: True" in shown, shown
    status, shown = run_on_terminal([], _env(tmp_path), "n", command=_script("confirm", "no"))
    assert status == 0 and "confirmed: False" in shown, shown
    # --yes answers without asking.
    done = subprocess.run(_script("confirm", "yes"), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60, check=False)
    assert done.returncode == 0 and "confirmed: True" in done.stdout and "to go on" not in done.stdout
    # No terminal and no --yes: refused with a clear error that names --yes, never an implicit yes.
    done = subprocess.run(_script("confirm", "no"), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          env=_env(tmp_path), timeout=60, check=False)
    assert done.returncode == 2 and "confirmed" not in done.stdout
    assert "[usage.invalid]" in done.stderr and "--yes" in done.stderr and "Traceback" not in done.stderr
