"""The signed statements as docs/api.md defines them ("Signed statements"): bytes written by hand from the
table there, signed with the `openssl` command rather than bidclient's code, are accepted by the server —
login, submission and withdrawal — and are byte for byte what bidclient's protocol functions build."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from pathlib import Path

import requests

from bidclient.api_client import ApiClient
from bidclient.protocol.auth import login_statement
from bidclient.protocol.submission import UploadOut, submission_statement, withdrawal_statement
from bidclient.submit import Uploader
from tests.server.submission_helpers import make_tender, sealed_bid


def _openssl_sign(statement: bytes, party, folder: Path) -> str:  # type: ignore[no-untyped-def]
    """base64 of a detached CMS over ``statement`` made by `openssl cms -sign`, as docs/api.md shows."""
    source = folder / "statement.json"
    source.write_bytes(statement)
    chain = folder / "chain.pem"
    chain.write_bytes(b"".join(Path(c).read_bytes() for c in party.chain))
    signature = folder / "statement.p7s"
    subprocess.run(["openssl", "cms", "-sign", "-binary", "-in", str(source), "-signer", str(party.signing_cert),
                    "-inkey", str(party.signing_key), "-certfile", str(chain), "-md", "sha256", "-outform", "DER",
                    "-out", str(signature)], check=True, capture_output=True)
    return base64.b64encode(signature.read_bytes()).decode("ascii")


def test_statements_written_from_the_docs_and_signed_with_openssl_are_accepted(live_server, pki,  # type: ignore[no-untyped-def]
                                                                                tmp_path: Path) -> None:
    party = pki.party("ent-a")
    url = live_server.url

    nonce = requests.post(f"{url}/api/v1/auth/challenge", timeout=30).json()["nonce"]
    login = f'{{"nonce":"{nonce}","purpose":"bidclient-login-v1"}}'.encode()
    assert login == login_statement(nonce)
    answer = requests.post(f"{url}/api/v1/auth/login", timeout=30,
                           json={"nonce": nonce, "signature": _openssl_sign(login, party, tmp_path)})
    assert answer.status_code == 200, answer.text
    token, identity = answer.json()["token"], answer.json()["account"]["identity_key"]
    assert identity == f"uscc:{party.uscc}"
    auth = {"Authorization": f"Bearer {token}"}

    tender_id = make_tender(live_server.data)
    bid = sealed_bid(tmp_path / "bid.p7m", pki, 200_000)
    sha, size = hashlib.sha256(bid.read_bytes()).hexdigest(), bid.stat().st_size
    submission = (f'{{"bidder":"{identity}","envelope_sha256":"{sha}","purpose":"bidclient-submission-v1",'
                  f'"size":{size},"tender_id":"{tender_id}","tender_version":1}}').encode()
    assert submission == submission_statement(tender_id=tender_id, tender_version=1, envelope_sha256=sha,
                                              size=size, bidder=identity)
    answer = requests.post(f"{url}/api/v1/uploads", headers=auth, timeout=30, json={
        "tender_id": tender_id, "tender_version": 1, "size": size, "sha256": sha,
        "statement_signature": _openssl_sign(submission, party, tmp_path)})
    assert answer.status_code == 201, answer.text
    client = ApiClient(url, token=token, retries=0)
    upload = UploadOut.model_validate(answer.json())
    Uploader(client)._send_missing(bid, upload)
    done = client.post_json(f"/api/v1/uploads/{upload.id}/complete", {})
    assert done["status"] == "active"

    withdrawal = (f'{{"bidder":"{identity}","envelope_sha256":"{sha}","purpose":"bidclient-withdrawal-v1",'
                  f'"submission_id":"{done["id"]}","tender_id":"{tender_id}"}}').encode()
    assert withdrawal == withdrawal_statement(tender_id=tender_id, submission_id=done["id"], envelope_sha256=sha,
                                              bidder=identity)
    answer = requests.post(f"{url}/api/v1/submissions/{done['id']}/withdraw", headers=auth, timeout=30,
                           json={"statement_signature": _openssl_sign(withdrawal, party, tmp_path)})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "withdrawn"
