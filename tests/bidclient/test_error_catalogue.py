"""Every error code the project can raise has a catalogue entry in its domain, in English and Chinese, and
no domain's advice reaches another audience (docs/architecture.md, "Errors per domain").

The codes are found statically in the source, so a new code fails here before any user meets it without
a message: ``code="…"`` keywords, ``code = "…"`` class attributes, ``TrustError(reason="…")``, and the
codes the server sends (``DomainError("…")``, ``Problem(status, "…")``) and the client raises
(``ApiError("…")``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bidclient import errors
from bidclient.bidpackage.errors import ManifestValueInvalid
from bidclient.bidpackage.writer import write_package
from bidclient.errors import BidclientError, catalogue, catalogues, describe
from bidclient.i18n import catalog
from devtools import messages as devtools_messages

ROOT = Path(__file__).resolve().parent.parent.parent
SCANNED = ("bidclient", "crypto", "forms", "ui", "server", "devtools")
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")
# Where the bidder's own work fails (drafting, packaging, sealing): never "ask the bidder".
BIDDER_SIDE = ("bidclient/bid_project.py", "bidclient/bidpackage/writer.py", "bidclient/sealing.py")


def raised_codes(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Constant) and \
                        any(isinstance(t, ast.Name) and t.id == "code" for t in statement.targets):
                    found.add(str(statement.value.value))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    if keyword.arg == "code":
                        found.add(keyword.value.value)
                    elif keyword.arg == "reason" and name == "TrustError":
                        found.add(f"trust.{keyword.value.value}")
            position = {"ApiError": 0, "DomainError": 0, "Problem": 1}.get(name)
            if position is not None and len(node.args) > position:
                argument = node.args[position]
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
    return {code for code in found if _CODE.match(code)}


def codes_in(paths: list[Path]) -> dict[str, str]:
    """code -> the first file that raises it."""
    found: dict[str, str] = {}
    for path in paths:
        for code in sorted(raised_codes(path.read_text(encoding="utf-8"))):
            found.setdefault(code, str(path.relative_to(ROOT)))
    return found


def every_raised_code() -> dict[str, str]:
    paths = [path for package in SCANNED for path in sorted((ROOT / package).rglob("*.py"))
             if "migrations" not in path.parts]
    return codes_in(paths)


@pytest.fixture(autouse=True)
def _english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BIDCLIENT_LANG", "en")
    devtools_messages.register()


def test_the_scanner_finds_every_kind_of_code() -> None:
    source = '''
class Refused(Exception):
    code = "alpha.class_attribute"
raise BidclientError("x", code="beta.keyword")
raise TrustError("x", reason="expired")
raise DomainError("gamma.service", "detail", status=409)
raise Problem(400, "delta.router", "title")
raise ApiError("epsilon.client", "detail")
log("not.a_code_but_text", code=f"dynamic.{x}")
'''
    assert raised_codes(source) == {"alpha.class_attribute", "beta.keyword", "trust.expired", "gamma.service",
                                    "delta.router", "epsilon.client"}


def test_every_raised_code_has_a_catalogue_entry() -> None:
    raised = every_raised_code()
    assert len(raised) > 150  # the scan is looking at the real source
    known = catalogue()
    missing = {code: where for code, where in raised.items() if code not in known}
    assert not missing, f"codes without an entry in their domain's messages module: {missing}"


def test_a_code_belongs_to_one_catalogue() -> None:
    seen: dict[str, str] = {}
    twice = []
    for source in catalogues():
        for code in source():
            if code in seen:
                twice.append((code, seen[code], source.__module__))
            seen[code] = source.__module__
    assert not twice


def test_every_entry_is_translated_into_chinese() -> None:
    chinese = catalog("zh_CN")
    untranslated = {code: text for code, (headline, hint) in catalogue().items()
                    for text in (headline, hint) if text and not chinese.get(text)}
    assert not untranslated, f"headlines/hints without a zh_CN translation: {untranslated}"


def test_a_seal_that_fails_never_sends_the_bidder_to_the_bidder(tmp_path: Path) -> None:
    """The bidder's own form data cannot go into the manifest: the message is about their input, not the
    opener's "ask the bidder for an intact bid" (on the old code the writer's error shared the reader's
    code, bid.manifest_invalid)."""
    folder = tmp_path / "bid"
    folder.mkdir()
    (folder / "letter.txt").write_text("投标函", encoding="utf-8")
    with (tmp_path / "out.zip").open("wb") as out, pytest.raises(Exception) as caught:
        write_package(out, folder, tender_id="ZB-1", tender_version=1, bidder_uscc="91110108MA01B2C3D0",
                      bidder_name="示例", signing_certificate_sha256="00" * 32, sign_manifest=lambda data: b"\x30\x00",
                      forms={"bid_letter": {"price": object()}})
    message = describe(caught.value)
    assert message.code == ManifestValueInvalid.code == "source.manifest_invalid"
    assert "bidder" not in (message.headline + message.hint).lower()
    assert "seal again" in message.hint


def test_no_message_of_the_bidders_side_tells_them_to_ask_the_bidder() -> None:
    # sealing.py also opens bids (unseal): its sealed.* codes are the reading side's.
    raised = {code for code in codes_in([ROOT / path for path in BIDDER_SIDE]) if not code.startswith("sealed.")}
    known = catalogue()
    assert raised
    wrong = {code: known[code][1] for code in raised if "bidder" in " ".join(known[code]).lower()}
    assert not wrong


def test_a_received_sealed_bid_and_a_draft_have_their_own_prefixes() -> None:
    reader = set(codes_in([ROOT / "bidclient" / "bidpackage" / "errors.py"]))
    draft = set(codes_in([ROOT / "bidclient" / "bid_project.py"]))
    assert {code.split(".")[0] for code in reader} == {"sealed", "source"}
    draft_prefixes = {code.split(".")[0] for code in draft}
    assert "bid" in draft_prefixes and "sealed" not in draft_prefixes


def test_a_code_no_catalogue_knows_gets_advice_for_everyone() -> None:
    """A server newer than this client may send a code this client does not know."""
    local = describe(BidclientError("something", code="future.thing"))
    assert (local.headline, local.hint) == ("The operation failed.", "Read the detail above.")
    from bidclient.api_client import ApiError

    remote = describe(ApiError("tender.future_rule", "refused", status=409))
    assert remote.headline == "The server refused the request."
    assert "bidder" not in remote.hint


def test_a_registered_catalogue_is_found() -> None:
    assert describe(BidclientError("x", code="demo.server_failed")).headline == \
        "The demo server could not be started."
    assert errors.register_catalogue(devtools_messages.messages) is devtools_messages.messages
    assert catalogues().count(devtools_messages.messages) == 1
