"""Others' scores are hidden until one's own sheet is submitted: every GET route of the evaluation API, the
live channel and the error answers are probed by an expert who has not submitted, by the agency, a bidder and
an expert of another session. Supervisors see everything."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from bidclient.api_client import ApiError
from bidclient.evaluation.session import open_workspace
from bidclient.protocol.evaluation_session import EditIn, Phase
from tests.server.conftest import RunningServer
from tests.server.evaluation_helpers import Committee, Person, committee, to_review
from tests.server.live_helpers import Stream

SECRET_VALUE = "27.25"
SECRET_COMMENT = "E1-ONLY-COMMENT"


def _get_routes(server: RunningServer) -> list[str]:
    spec = requests.get(server.url + "/openapi.json", timeout=10).json()
    return sorted(p for p, ops in spec["paths"].items() if p.startswith("/api/v1/evaluation") and "get" in ops)


def _probe(server: RunningServer, who: Person, sid: str) -> dict[str, tuple[int, Any]]:
    """Every GET route of the evaluation API as ``who`` sees it, with the server's clock removed."""
    seen: dict[str, tuple[int, Any]] = {}
    for path in _get_routes(server):
        url = server.url + path.replace("{session_id}", sid)
        response = requests.get(url, headers={"Authorization": f"Bearer {who.client.token}"}, timeout=20)
        body = response.json()
        if isinstance(body, dict):
            body.pop("server_time", None)
            for item in body.get("sessions", []):
                item.pop("server_time", None)
        seen[path] = (response.status_code, body)
    return seen


def _ready(c: Committee, tmp_path: Path) -> list[Any]:
    to_review(c)
    sid = c.session_id
    spaces = [open_workspace(m.client, sid, m.identity, path=tmp_path / f"h{n}.sqlite")
              for n, m in enumerate(c.experts)]
    for space in spaces:
        for bid in ("bid-a", "bid-b", "bid-c"):
            space.review(bid, "licence", passed=True)
    c.experts[0].api.advance(sid, Phase.SCORING)
    return spaces


def test_an_expert_learns_nothing_of_others_scores_before_submitting(live_server: RunningServer, pki,  # type: ignore[no-untyped-def]
                                                                    tmp_path: Path) -> None:
    c = committee(live_server, pki, experts=3)
    sid = c.session_id
    spaces = _ready(c, tmp_path)
    e1, e2, e3 = c.experts
    try:
        assert e2.client.token
        stream = Stream(live_server.url, e2.client.token, f"evaluation:{sid}")
        spaces[1].score("bid-a", "tech", "11")
        before = _probe(live_server, e2, sid)
        # e1 scores with distinctive values, changes them, scores more cells: nothing e2 can read changes.
        spaces[0].score("bid-a", "tech", "5", comment="first")
        spaces[0].score("bid-a", "tech", SECRET_VALUE, comment=SECRET_COMMENT)
        for bid in ("bid-b", "bid-c"):
            spaces[0].score(bid, "tech", "29.5")
        after = _probe(live_server, e2, sid)
        assert after == before
        assert SECRET_VALUE not in json.dumps(after) and SECRET_COMMENT not in json.dumps(after)
        cells = e2.api.cells(sid)
        assert cells.hidden and {x.expert for x in cells.cells} == {e2.identity}
        # The supervisor sees everything, read-only; the agency sees no score at all.
        assert SECRET_COMMENT in json.dumps(_probe(live_server, c.supervisor, sid))
        agency = _probe(live_server, c.agency, sid)
        assert agency["/api/v1/evaluation/sessions/{session_id}/cells"][1]["code"] == "evaluation.scores_hidden"
        assert SECRET_VALUE not in json.dumps(agency) and SECRET_COMMENT not in json.dumps(agency)
        # A bidder, and an expert of another session, are told the session does not exist — exactly as for a
        # session that does not exist.
        other = committee(live_server, pki, experts=1)
        for outsider in (c.bidder, other.experts[0]):
            probed = _probe(live_server, outsider, sid)
            missing = _probe(live_server, outsider, "00000000-0000-0000-0000-000000000000")
            for path, (status, body) in probed.items():
                if "{session_id}" not in path:
                    continue
                # 404 session_not_found, or 403 for a route the caller's role never reaches (a bidder on an
                # expert's route): either way exactly the answer for a session that does not exist.
                assert (status, body["code"]) == (missing[path][0], missing[path][1]["code"]), (path, body)
                assert body["code"] in ("evaluation.session_not_found", "auth.forbidden")
                assert body["detail"].replace(sid, "X") == missing[path][1]["detail"].replace(
                    "00000000-0000-0000-0000-000000000000", "X")
            assert SECRET_VALUE not in json.dumps(probed)
            assert outsider.client.token
            channel = Stream(live_server.url, outsider.client.token, f"evaluation:{sid}")
            nothing = Stream(live_server.url, outsider.client.token, "evaluation:00000000-0000")
            assert channel.response.status_code == nothing.response.status_code == 404
            assert channel.response.json()["code"] == nothing.response.json()["code"]
            channel.close()
            nothing.close()
        # Writing as an outsider is refused the same way, and changes nothing.
        edit = EditIn(edit_id=uuid.uuid4().hex, seq=1, kind="score", bid="bid-a", item="tech", value="1",
                      base_version=0)
        with pytest.raises(ApiError) as caught:
            other.experts[0].api.send_edits(sid, [edit])
        assert caught.value.code == "evaluation.session_not_found"
        assert {x.value for x in c.supervisor.api.cells(sid).cells if x.item == "tech" and x.bid == "bid-a"} == \
            {"11.00", SECRET_VALUE}
        # The live events e2 received carry no value and say nothing of e1's edits.
        stream.wait(1, timeout=2)
        assert all(e["kind"] != "evaluation.edit" for e in stream.events)
        assert SECRET_VALUE not in json.dumps(stream.events)
        stream.close()

        # e1 submits: e2 learns only that (a status), still no value; e2 submits: now e2 sees e1's scores.
        for bid in ("bid-a", "bid-b", "bid-c"):
            spaces[0].score(bid, "service", "7")
        spaces[0].submit(e1.sign)
        seen = json.dumps(_probe(live_server, e2, sid))
        assert SECRET_VALUE not in seen and SECRET_COMMENT not in seen
        for bid in ("bid-a", "bid-b", "bid-c"):
            spaces[1].score(bid, "tech", "12")
            spaces[1].score(bid, "service", "6")
        spaces[1].submit(e2.sign)
        cells = e2.api.cells(sid)
        assert not cells.hidden
        assert any(x.expert == e1.identity and x.value == SECRET_VALUE and x.comment == SECRET_COMMENT
                   for x in cells.cells)
        assert not any(x.expert == e3.identity and x.kind == "score" for x in cells.cells)  # e3 scored nothing
    finally:
        for space in spaces:
            space.close()
