"""`bidclient-server admin grant` refuses identities that can never match an account (issue 8 §4): a grant to
`uscc:NOTACODE` used to succeed and give a role to nobody."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from crypto.identity import USCC_CHARSET
from server.cli import main as server_main
from tests.server.submission_helpers import db_session


def _grants_and_entries(data: Path) -> tuple[int, int]:
    from server.audit.models import AuditEntry
    from server.auth.models import RoleGrant

    with db_session(data) as db:
        return (db.execute(select(func.count()).select_from(RoleGrant)).scalar_one(),
                db.execute(select(func.count()).select_from(AuditEntry)).scalar_one())


def test_grant_refuses_identities_that_match_no_account(server_data: Path, pki,  # type: ignore[no-untyped-def]
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    code = pki.party("opener-1").uscc
    mistyped = code[:17] + next(c for c in USCC_CHARSET if c != code[17])
    before = _grants_and_entries(server_data)
    cases = {
        "uscc:NOTACODE": "has 8 characters, not 18",
        "uscc:": "it is empty",
        "person:": "names no person",
        f"uscc:{mistyped}": f"its check character is {mistyped[17]}, but the first 17 characters give {code[17]}",
        f"uscc:{code[:17]}I": "characters outside",
        f"enterprise:{code}": "is not an identity",
        code: "is not an identity",
        "person: Li Lei": "names no person",
    }
    for identity, why in cases.items():
        status = server_main(["admin", "grant", "--data", str(server_data), "--identity", identity,
                              "--role", "admin"])
        err = capsys.readouterr().err
        assert status == 2, (identity, err)
        assert err.startswith("error [usage.invalid_identity]") and why in err, (identity, err)
        assert "uscc:<统一社会信用代码>" in err and "nothing was changed" in err
    assert _grants_and_entries(server_data) == before  # no grant, nothing in the audit chain

    # A right code (in lower case too) and a person's name are granted, under the key a login gives.
    assert server_main(["admin", "grant", "--data", str(server_data), "--identity", f"uscc:{code.lower()}",
                        "--role", "agency"]) == 0
    assert capsys.readouterr().out == f"granted agency to uscc:{code}\n"
    assert server_main(["admin", "grant", "--data", str(server_data), "--identity", "person:李雷",
                        "--role", "expert"]) == 0
    assert _grants_and_entries(server_data)[0] == before[0] + 2


def test_revoke_still_removes_a_grant_an_older_version_made(server_data: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from server.auth import service
    from server.auth.models import Role

    with db_session(server_data) as db:  # what `admin grant --identity uscc:NOTACODE` used to record
        service.grant_role(db, identity_key="uscc:NOTACODE", role=Role.ADMIN, granted_by="admin-cli")
        db.commit()
    assert server_main(["admin", "revoke", "--data", str(server_data), "--identity", "uscc:NOTACODE",
                        "--role", "admin"]) == 0
    assert capsys.readouterr().out == "revoked admin of uscc:NOTACODE\n"
