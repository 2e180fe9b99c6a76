"""The evaluation report: written, signed by 5 experts on SoftHSM dongles in turn, checked by pdfsig,
pyHanko's validator and `bidclient evaluation verify-report`; tampering and out-of-order signing refused.

The experts' CA is an intermediate under a root, and the dongles hold only the experts' own pairs (not
the intermediate): the chain is completed from the trust list, as in the field.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from bidclient.errors import describe
from bidclient.evaluation import evaluate
from bidclient.evaluation.report import (
    Art64Decision,
    Member,
    ReportClarification,
    sign_report,
    verify_report,
    write_report,
)
from bidclient.evaluation.rules import EvaluationError
from crypto import token_worker
from crypto.key_access import open_key
from tests.crypto.softhsm_fixtures import MODULE, USER_PIN, Ca, KeyPair, make_ca, make_leaf, make_softhsm
from tests.evaluation import sample
from tests.forms.test_render import assert_fonts_embedded, pdftotext

NAMES = ["张三", "李四", "王五", "赵六", "钱七"]


@dataclass
class Dongles:
    root: Ca
    sub: Ca
    uris: list[str]
    certificates: list[x509.Certificate]
    stranger: str  # a dongle of someone not on the committee
    trust_file: Path


def _uri(token: str) -> str:
    return (f"pkcs11:token={urllib.parse.quote(token, safe='')};object=sign;type=private"
            f"?module-path={urllib.parse.quote(MODULE, safe='/')}")


@pytest.fixture(scope="module")
def dongles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dongles]:
    root_dir = tmp_path_factory.mktemp("expert-dongles")
    hsm = make_softhsm(root_dir / "hsm")
    root = make_ca("Expert Root CA")
    sub = make_ca("Expert Issuing CA", root)
    uris, certificates = [], []
    for i, name in enumerate([*NAMES, "局外人"]):
        key = rsa.generate_private_key(65537, 2048) if i == 1 else ec.generate_private_key(ec.SECP256R1())
        certificate = make_leaf(sub, name, key, "sign")
        token = f"expert-{i + 1}"
        hsm.init_token(token)
        hsm.add_pair(token, KeyPair(bytes([i + 1]), "sign", key, certificate, ("sign",)))
        uris.append(_uri(token))
        certificates.append(certificate)
    trust_file = root_dir / "trust.pem"
    trust_file.write_bytes(root.certificate.public_bytes(Encoding.PEM))
    previous = os.environ.get("SOFTHSM2_CONF")
    token_worker.shutdown_all()  # SoftHSM reads SOFTHSM2_CONF when the module is initialised
    os.environ["SOFTHSM2_CONF"] = str(hsm.conf)
    yield Dongles(root, sub, uris[:5], certificates[:5], uris[5], trust_file)
    token_worker.shutdown_all()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def committee(d: Dongles) -> list[Member]:
    return [Member(e, NAMES[i], Member.fingerprint(d.certificates[i]), chair=i == 0)
            for i, e in enumerate(sample.EXPERTS)]


def unsigned_report(d: Dongles, path: Path) -> Path:
    result = evaluate(sample.definition(), sample.BIDS, sample.EXPERTS, sample.votes(), sample.sheets())
    decisions = [
        Art64Decision("abnormal_low", "e5", "b1", "tech", "changed", Decimal(20), Decimal(38),
                      "复核后认为原评分畸低，修改"),
        Art64Decision("objective_differs", "e3", "b3", "cert", "changed", Decimal(8), Decimal(10),
                      "核对证书后更正"),
    ]
    clarifications = [
        ReportClarification("b2", "请说明贵公司在本市的售后服务网点数量", "2026-12-02 09:10 (UTC+08:00)",
                            "我公司在本市设有三个服务网点", "2026-12-02 09:40 (UTC+08:00)", True),
        ReportClarification("b3", "请澄清交货期", "2026-12-02 09:15 (UTC+08:00)", None, "", False),
    ]
    return write_report(result, sample.NAMES, committee(d), path, report_id="PB-0042-1",
                        created_at="2026-12-02 10:00 (UTC+08:00)", decisions=decisions,
                        clarifications=clarifications)


def sign(d: Dongles, path: Path, who: int | str, decision: str = "agree", reasons: str = "",
         allow_skip: bool = False) -> Member:
    uri = who if isinstance(who, str) else d.uris[who]
    with open_key(uri, lambda _request: USER_PIN,
                  chain_certificates=lambda: [d.sub.certificate, d.root.certificate]) as session:
        return sign_report(path, session.signer(), decision, reasons, allow_skip=allow_skip)  # type: ignore[arg-type]


def pdfsig(path: Path) -> str:
    return subprocess.run(["pdfsig", "-nocert", str(path)], capture_output=True, text=True).stdout


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BIDCLIENT_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "bidclient.cli.main", *args], capture_output=True, text=True, env=env)


@pytest.fixture(scope="module")
def signed(dongles: Dongles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = unsigned_report(dongles, tmp_path_factory.mktemp("report") / "report.pdf")
    sign(dongles, path, 0)
    sign(dongles, path, 1)
    sign(dongles, path, 2, "dissent", "技术评分中对乙公司方案的评价过高，本人保留意见")
    sign(dongles, path, 3)
    sign(dongles, path, 4, "refuse", "不同意将甲公司排在第三名")
    return path


def test_the_report_says_everything_and_embeds_its_fonts(signed: Path) -> None:
    text = pdftotext(signed)
    assert "评标报告" in text
    flat = "".join(text.split())  # table cells wrap: compare without white space
    for expected in ("张三", "钱七", "营业执照", "未按招标文件要求提交投标保证金", "丁贸易有限公司",
                     "94.74 (28.42)", "min(900000.00, 950000.00, 990000.00) = 900000.00",
                     "评分畸低", "修改为", "核对证书", "推荐中标候选人",
                     # the clarifications, part of the record: the signed answer marked verified
                     "七、澄清", "售后服务网点", "服务网点", "签名已验证", "请澄清交货期",
                     "未答复"):
        assert "".join(expected.split()) in flat, expected
    assert_fonts_embedded(signed)


def test_five_experts_sign_in_turn_valid_in_pdfsig_and_pyhanko(signed: Path, dongles: Dongles) -> None:
    report = pdfsig(signed)
    assert report.count("Signature Validation: Signature is Valid.") == 5, report
    assert report.count("ETSI.CAdES.detached") == 5
    assert "Total document signed" in report.split("Signature #5")[1]
    assert "不同意 dissent: 技术评分中对乙公司方案的评价过高" in pdftotext(signed)  # in the appearance

    result = verify_report(signed, [dongles.root.certificate])
    assert result.ok, result.problems
    assert result.complete
    assert [m.state for m in result.members] == ["agreed", "agreed", "dissented", "agreed", "refused"]
    assert result.members[4].reasons == "不同意将甲公司排在第三名"
    assert all(s.ok for s in result.signatures.signatures)
    assert [s.signer_name for s in result.signatures.signatures] == NAMES

    done = cli("evaluation", "verify-report", str(signed), "--trust", str(dongles.trust_file))
    assert done.returncode == 0, done.stderr
    assert "dissented" in done.stdout and "refused" in done.stdout and "钱七" in done.stdout


def test_a_tampered_report_is_refused(signed: Path, dongles: Dongles, tmp_path: Path) -> None:
    data = bytearray(signed.read_bytes())
    offset = data.index(b"stream\n", data.index(b"/Type /Page")) + 40
    data[offset] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert "Signature is Valid." not in pdfsig(tampered)
    result = verify_report(tampered, [dongles.root.certificate])
    assert not result.ok and any("changed after signing" in p for p in result.problems)
    done = cli("evaluation", "verify-report", str(tampered), "--trust", str(dongles.trust_file))
    assert done.returncode == 1
    assert "[evaluation.report_invalid]" in done.stderr and "Traceback" not in done.stderr

    # Something appended after the last signature (an incremental update nobody signed).
    appended = tmp_path / "appended.pdf"
    appended.write_bytes(signed.read_bytes() + b"\n1 0 obj\n<< >>\nendobj\n")
    assert any("after the last signature" in p for p in verify_report(appended, [dongles.root.certificate]).problems)

    # Not trusted: another root.
    other = make_ca("Someone Else's Root")
    assert not verify_report(signed, [other.certificate]).ok


def test_members_sign_in_committee_order_once_with_their_own_dongle(dongles: Dongles, tmp_path: Path) -> None:
    path = unsigned_report(dongles, tmp_path / "report.pdf")
    before = path.read_bytes()
    with pytest.raises(EvaluationError, match="张三 signs before 李四") as raised:
        sign(dongles, path, 1)
    assert raised.value.code == "evaluation.report_signer"
    with pytest.raises(EvaluationError, match="not a member") as raised:
        sign(dongles, path, dongles.stranger)
    assert raised.value.code == "evaluation.report_signer"
    with pytest.raises(EvaluationError) as raised:
        sign(dongles, path, 0, "dissent", "  ")
    assert raised.value.code == "evaluation.dissent_without_reasons"
    assert describe(raised.value).hint  # catalogued, with what to do
    assert path.read_bytes() == before  # nothing written by a refused attempt

    sign(dongles, path, 0)
    with pytest.raises(EvaluationError, match="already signed"):
        sign(dongles, path, 0)
    sign(dongles, path, 1)
    # 王五 refuses without reasons and does not sign: the session lets 赵六 go on; 王五 counts as agreeing.
    sign(dongles, path, 3, allow_skip=True)
    with pytest.raises(EvaluationError, match="comes before"):
        sign(dongles, path, 2)
    sign(dongles, path, 4)
    result = verify_report(path, [dongles.root.certificate])
    assert result.ok, result.problems
    assert not result.complete
    assert [m.state for m in result.members] == ["agreed", "agreed", "not_signed", "agreed", "agreed"]
    done = cli("evaluation", "verify-report", str(path), "--trust", str(dongles.trust_file))
    assert done.returncode == 0
    assert "taken to agree" in done.stdout


def test_an_unsigned_or_foreign_file_is_not_a_valid_report(dongles: Dongles, tmp_path: Path) -> None:
    path = unsigned_report(dongles, tmp_path / "report.pdf")
    result = verify_report(path, [dongles.root.certificate])
    assert not result.ok and "no member has signed the report" in result.problems
    other = tmp_path / "other.pdf"
    other.write_bytes(b"%PDF-1.4\n%%EOF\n")
    done = cli("evaluation", "verify-report", str(other), "--trust", str(dongles.trust_file))
    assert done.returncode == 1 and "[evaluation.report_unreadable]" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_signing_and_verifying_by_command_say_what_happened_without_a_traceback(dongles: Dongles,
                                                                              tmp_path: Path) -> None:
    path = unsigned_report(dongles, tmp_path / "report.pdf")
    pin = tmp_path / "pin"
    pin.write_text(USER_PIN)
    first = cli("evaluation", "sign-report", str(path), "--key", dongles.uris[0], "--pin-source", f"file:{pin}",
                "--trust", str(dongles.trust_file))
    assert first.returncode == 0 and "张三 signed" in first.stdout, first.stderr
    # The second member names no trust list: the first signature's chain cannot be built, which
    # does not matter for adding a signature, and must not spill pyHanko's log onto the terminal.
    second = cli("evaluation", "sign-report", str(path), "--key", dongles.uris[1], "--pin-source", f"file:{pin}",
                 "--dissent", "不同意")
    assert second.returncode == 0 and "李四 signed" in second.stdout, second.stderr
    assert second.stderr.startswith("warning: the certificate of the CA that issued") and "Traceback" not in \
        second.stderr  # its signature lacks the issuing CA: verifiers need it in their trust list
    assert not verify_report(path, [dongles.root.certificate]).ok
    assert verify_report(path, [dongles.root.certificate], intermediates=[dongles.sub.certificate]).ok
    out_of_turn = cli("evaluation", "sign-report", str(path), "--key", dongles.uris[3], "--pin-source", f"file:{pin}")
    assert out_of_turn.returncode == 1 and "[evaluation.report_signer]" in out_of_turn.stderr
    other_root = tmp_path / "other.pem"
    other_root.write_bytes(make_ca("Another Root").certificate.public_bytes(Encoding.PEM))
    untrusted = cli("evaluation", "verify-report", str(path), "--trust", str(other_root))
    assert untrusted.returncode == 1 and "not trusted" in untrusted.stderr
    assert "Traceback" not in untrusted.stderr
    trust_dir = tmp_path / "trust"
    trust_dir.mkdir()
    (trust_dir / "root.pem").write_bytes(dongles.root.certificate.public_bytes(Encoding.PEM))
    (trust_dir / "sub.pem").write_bytes(dongles.sub.certificate.public_bytes(Encoding.PEM))
    done = cli("evaluation", "verify-report", str(path), "--trust", str(trust_dir), "--require-all")
    assert done.returncode == 1 and "[evaluation.report_incomplete]" in done.stderr and "王五" in done.stderr
