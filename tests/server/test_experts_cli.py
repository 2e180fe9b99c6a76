"""`bidclient experts …` as its users run it, against a real server, each signed in with their own dongle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.server.conftest import RunningServer
from tests.server.expert_helpers import (
    ADMIN,
    AGENCY,
    EXPERT,
    EXPERT_IDENTITY,
    dongle_login,
    expert_row,
    grant,
    own_tender,
    pool_csv,
    uscc,
)


class User:
    def __init__(self, server: RunningServer, pki, party: str, home: Path) -> None:  # type: ignore[no-untyped-def]
        self.env = dict(pki.softhsm_env(), XDG_CONFIG_HOME=str(home), BIDCLIENT_NO_KEYRING="1", BIDCLIENT_LANG="en")
        self.env.pop("BIDCLIENT_SERVER", None)
        done = self(["login", "--server", server.url, "--key", pki.party(party).signing_uri,
                     "--pin-source", f"file:{pki.pin_file}"])
        assert done.returncode == 0, done.stderr

    def __call__(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True,
                              env=self.env, timeout=180, check=False, cwd=Path(__file__).resolve().parents[2])


def _iso(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone().isoformat(timespec="seconds")


def test_the_experts_commands_end_to_end(live_server: RunningServer, pki, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    agency_account = dongle_login(live_server.url, pki, AGENCY)
    grant(live_server, agency_account.identity, "agency")
    grant(live_server, "uscc:" + pki.party(ADMIN).uscc, "admin")
    admin = User(live_server, pki, ADMIN, tmp_path / "admin")
    agency = User(live_server, pki, AGENCY, tmp_path / "agency")

    for code, name, category in (("it.hw", "计算机硬件", "technical"), ("econ", "造价", "economic")):
        done = admin(["experts", "specialty-set", code, "--name", name, "--category", category])
        assert done.returncode == 0, done.stderr
    bad = tmp_path / "bad.csv"
    rows = [expert_row(1, "econ", identity=EXPERT_IDENTITY, email="zs@example.cn", region="深圳")]
    rows += [expert_row(n, "it.hw") for n in range(10, 16)] + [expert_row(20, "econ"), expert_row(21, "econ")]
    broken = expert_row(30) | {"employer_uscc": uscc(30)[:17] + ("Y" if uscc(30)[17] != "Y" else "X")}
    bad.write_bytes(pool_csv([*rows, broken, expert_row(31, "it.hw;nosuch")]))
    done = admin(["experts", "import", str(bad)])
    assert done.returncode == 1
    assert f"{bad}, line 11: employer_uscc" in done.stderr and "wrong check character" in done.stderr
    assert f"{bad}, line 12: unknown specialties: nosuch" in done.stderr
    assert "[experts.csv_rows_invalid]" in done.stderr and "Traceback" not in done.stderr
    assert "0 experts" in admin(["experts", "list"]).stdout  # "0 of 0 experts": nothing was imported
    good = tmp_path / "pool.csv"
    good.write_bytes(pool_csv(rows))
    done = admin(["experts", "import", str(good)])
    assert done.returncode == 0 and "9 experts admitted, 0 updated" in done.stdout, done.stderr
    found = admin(["experts", "list", "--name", "专家0001", "--sort=-name", "--limit", "2"])
    assert found.returncode == 0 and "2 of 6 experts" in found.stdout, found.stderr
    assert found.stdout.index("专家00015") < found.stdout.index("专家00014")  # sorted by the server, descending
    assert "专家00013" not in found.stdout
    unsortable = admin(["experts", "list", "--sort", "email"])
    assert unsortable.returncode == 1 and "[experts.sort_invalid]" in unsortable.stderr

    tender = own_tender(live_server.data, agency_account.account_id)
    even = agency(["experts", "draw", "--tender", tender, "--slot", "it.hw:4", "--starts", _iso(72), "--ends",
                   _iso(80), "--respond-by", _iso(24)])
    assert even.returncode == 1 and "[experts.committee_too_small]" in even.stderr
    assert "at least 5 members" in even.stderr and "Traceback" not in even.stderr
    record = tmp_path / "draw.json"
    done = agency(["experts", "draw", "--tender", tender, "--slot", "it.hw:4:1", "--slot", "econ:1:0@深圳",
                   "--starts", _iso(72), "--ends", _iso(80), "--respond-by", _iso(24), "--place", "remote",
                   "--record", str(record)])
    assert done.returncode == 0, done.stderr
    assert "Committed before the draw: seed commitment" in done.stdout
    assert "names are shown when the evaluation begins" in done.stdout and "专家" not in done.stdout

    verifier = User(live_server, pki, "ent-a", tmp_path / "bidder")  # any signed-in party may verify
    done = verifier(["experts", "verify-draw", str(record)])
    assert done.returncode == 0 and "is verified" in done.stdout and "5 members and 1 reserves" in done.stdout
    draw_id = json.loads(record.read_text())["draw_id"]
    assert verifier(["experts", "verify-draw", "--draw", draw_id]).returncode == 0
    tampered = json.loads(record.read_text())
    tampered["picks"][0]["id"], tampered["picks"][-1]["id"] = tampered["picks"][-1]["id"], tampered["picks"][0]["id"]
    (tmp_path / "tampered.json").write_text(json.dumps(tampered))
    done = verifier(["experts", "verify-draw", str(tmp_path / "tampered.json")])
    assert done.returncode == 1 and "[experts.draw_mismatch]" in done.stderr and "Traceback" not in done.stderr

    # The expert with the dongle is the only economist in 深圳: certainly drawn. They see only their own.
    expert = User(live_server, pki, EXPERT, tmp_path / "expert")
    me = expert(["experts", "me"])
    assert me.returncode == 0 and "专家00001" in me.stdout and "admitted" in me.stdout
    assert expert(["experts", "list"]).returncode == 1
    invitations = expert(["experts", "invitations"])
    assert invitations.returncode == 0 and invitations.stdout.startswith("#"), invitations.stderr
    assert "办公设备采购项目" in invitations.stdout and "remote" in invitations.stdout
    invitation = invitations.stdout.split()[0].lstrip("#")
    done = expert(["experts", "decline", invitation, "--reason", "出差"])
    assert done.returncode == 0 and "declined" in done.stdout
    again = expert(["experts", "accept", invitation])
    assert again.returncode == 1 and "[experts.invitation_answered]" in again.stderr
    status = agency(["experts", "draw-status", draw_id])
    assert status.returncode == 0 and "declined: 1, pending: 4, waiting: 1" in status.stdout

    # The expert declares a relation of their own, sees it, and withdraws it; it stays on record.
    employer = uscc(777001)
    assert expert(["experts", "my-relations"]).stdout.strip() == "No declared relations."
    broken_uscc = employer[:17] + ("0" if employer[17] != "0" else "1")
    refused = expert(["experts", "declare-relation", "relative", "--uscc", broken_uscc])
    assert refused.returncode == 1 and "[experts.uscc_invalid]" in refused.stderr and "Traceback" not in refused.stderr
    done = expert(["experts", "declare-relation", "relative", "--uscc", employer.lower(), "--note", "配偶任职"])
    assert done.returncode == 0, done.stderr
    assert f"relative {employer} (declared by you; in force) 配偶任职" in done.stdout
    relation = done.stdout.split()[0].lstrip("#")
    assert agency(["experts", "withdraw-relation", relation]).returncode == 1  # an agency is no expert
    done = expert(["experts", "withdraw-relation", relation])
    assert done.returncode == 0 and "(declared by you; withdrawn " in done.stdout, done.stderr
    again = expert(["experts", "withdraw-relation", relation])
    assert again.returncode == 1 and "[experts.relation_withdrawn]" in again.stderr
    assert "withdrawn" in expert(["experts", "my-relations"]).stdout
    out = tmp_path / "export.csv"
    assert admin(["experts", "export", "-o", str(out)]).returncode == 0
    assert "专家00001" in out.read_text(encoding="utf-8-sig")
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())
    assert os.path.exists(record)
