"""The example tender draft in docs/examples/ is what an agency copies: it must pass every check `bidclient tender
publish` makes before the PIN is asked for, once the placeholder certificate is replaced."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from bidclient import tender_package as tp
from bidclient.protocol.tender import Document

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "tender-draft.json"


def test_the_documented_example_draft_passes_the_publish_checks(pki: Any) -> None:
    draft = tp.load_draft(EXAMPLE)
    assert draft["opening_certificates"][0].startswith("REPLACE")  # what the agency must fill in
    draft["opening_certificates"] = [pki.party("opener-1").encryption_cert.read_text()]
    pdf = b"%PDF-1.7\n% tender document\n"
    documents = [Document(name="招标文件.pdf", size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest())]
    definition = tp.prepare_definition(draft, documents)
    assert definition.format == "bidclient-tender/2"  # it names announced items
    announced = {field.announces for form in definition.forms for field in form.fields if field.announces}
    assert announced == {"price", "duration", "quality"}


def test_the_example_is_named_in_the_cli_guide() -> None:
    assert "docs/examples/tender-draft.json" in (EXAMPLE.parents[1] / "cli.md").read_text(encoding="utf-8")
    json.loads(EXAMPLE.read_text(encoding="utf-8"))
