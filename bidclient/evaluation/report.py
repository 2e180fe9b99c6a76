"""The evaluation report (评标报告): written from an EvaluationResult, signed by every member, verified offline.

The report is one PDF (forms.evaluation_report draws it) carrying a manifest attachment,
``evaluation.json``: the report's id, the tender and lot, and the committee in signing order with each
member's certificate SHA-256 and signature box. Every member then adds one incremental PAdES revision
of their own (field ``member-N``), in committee order, whose signature reason states their position:

- ``同意 agree`` — signs the report;
- ``不同意 dissent: REASONS`` — signs the report with written dissent;
- ``拒签 refuse: REASONS`` — refuses to sign, with written reasons; the revision is signed by the refusing
  member's own dongle so that nobody can refuse in their name, and it does not count as signing.

A member who neither signs nor refuses with reasons has no revision; the verification lists them as
"did not sign, no written reasons: taken to agree" (实施条例 Art. 53: refusing to sign without written
reasons is agreeing). ``verify_report`` checks every signature (intact, valid, trusted), that each is by
the member its field names with the certificate the manifest lists, that members signed in committee
order and once each, that the manifest is the one the first signature covered, and that nothing was
added after the last signature.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from pyhanko.pdf_utils.reader import PdfFileReader

from bidclient.errors import BidclientError
from bidclient.i18n import _
from bidclient.protocol.evaluation_report import FIELD as _FIELD
from bidclient.protocol.evaluation_report import LABELS as _LABELS
from bidclient.protocol.evaluation_report import MAX_REASONS, REPORT_FORMAT, Decision, Member, ReportManifest
from bidclient.protocol.evaluation_report import parse_statement as _statement
from bidclient.protocol.evaluation_report import read_manifest as _read_manifest
from bidclient.protocol.evaluation_report import signature_reasons as _signature_reasons
from bidclient.protocol.evaluation_report import unreadable as _unreadable
from bidclient.protocol.evaluation_rules import EvaluationError, EvaluationResult, FlagCode, ScoringDefinition, show
from crypto.identity import readable_name
from crypto.keys import Signer
from crypto.timestamp import Timestamper
from forms.errors import FormsError
from forms.evaluation_report import (
    ReportSection,
    ReportSheet,
    ReportTable,
    SignatureSlot,
    render_report,
)
from forms.pdf_sign import PdfVerification, sign_pdf, verify_pdf

MemberState = Literal["agreed", "dissented", "refused", "not_signed"]
_FLAG_NAMES: dict[str, str] = {
    "sum_error": "分值汇总计算错误 sum error",
    "out_of_range": "分项评分超出评分标准规定的评分范围 out of range",
    "objective_differs": "客观评审因素评分不一致 objective item differs",
    "abnormal_high": "评分畸高 abnormally high",
    "abnormal_low": "评分畸低 abnormally low",
}


@dataclass(frozen=True)
class ReportClarification:
    """A clarification request (澄清) as the report records it: times already formatted (zone named);
    ``verified``: the answer's signature was checked (bidclient.evaluation.clarifications) and holds."""

    bidder_id: str
    question: str
    asked_at: str
    answer: str | None
    answered_at: str
    verified: bool


@dataclass(frozen=True)
class Art64Decision:
    """What the committee decided on an Art. 64 flag: the score changed (and to what), or kept, and why."""

    code: FlagCode
    expert_id: str
    bidder_id: str
    criterion_id: str | None
    outcome: Literal["changed", "kept"]
    old_value: Decimal
    new_value: Decimal | None
    reason: str


@contextlib.contextmanager
def _quiet_validator() -> Iterator[None]:
    """pyHanko logs every certificate path it cannot build as a warning with a traceback; the outcome
    is reported through the verification's problems instead, so its logging is muted meanwhile."""
    logger = logging.getLogger("pyhanko")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


# --- writing the report --------------------------------------------------------------------------------


def _grouped(hex_digest: str) -> str:
    return " ".join(hex_digest[i:i + 8] for i in range(0, len(hex_digest), 8))


def write_report(result: EvaluationResult, bidder_names: dict[str, str], committee: Sequence[Member],
                 path: str | Path, *, report_id: str, created_at: str,
                 decisions: Sequence[Art64Decision] = (),
                 clarifications: Sequence[ReportClarification] = ()) -> Path:
    """Write the unsigned report of ``result`` to ``path`` (atomically). ``committee`` is the signing
    order; ``created_at`` is the time as the report prints it (zone named). Raises EvaluationError."""
    if not 1 <= len(committee) <= 99:
        raise EvaluationError("the committee has 1 to 99 members", code="evaluation.no_experts")
    fingerprints = [m.certificate_sha256 for m in committee]
    if len(set(fingerprints)) != len(fingerprints) or len({m.expert_id for m in committee}) != len(committee) \
            or not all(re.fullmatch(r"[0-9a-f]{64}", f) for f in fingerprints):
        raise EvaluationError("every member needs a distinct expert id and certificate SHA-256",
                              code="evaluation.duplicate_expert")
    d = result.definition
    names = {m.expert_id: m.name for m in committee}

    def bidder(bidder_id: str) -> str:
        return bidder_names.get(bidder_id, bidder_id)

    def expert(expert_id: str) -> str:
        return names.get(expert_id, expert_id)

    sections = [_committee_section(committee), _review_section(d, result, bidder, expert),
                _price_section(d, result, bidder)]
    if d.method == "comprehensive":
        sections += [_scores_section(d, result, bidder, expert), _art64_section(d, result, decisions, bidder, expert)]
    sections.append(_ranking_section(result, bidder))
    sections.append(_clarifications_section(clarifications, bidder))
    method = "综合评分法 comprehensive scoring" if d.method == "comprehensive" \
        else "经评审的最低投标价法 lowest evaluated price"
    sheet = ReportSheet(
        title="评标报告", subtitle="Evaluation report",
        facts=[("招标编号 Tender", f"{d.tender_id}（第 {d.tender_version} 版 version）"),
               ("项目名称 Title", d.title), ("标包 Lot", f"{d.lot_id} {d.lot_name}"),
               ("评标方法 Method", method), ("报告编号 Report", report_id), ("生成时间 Written", created_at)],
        sections=sections,
        signing_note=("评标委员会成员按下列顺序逐一以数字证书签署本报告（每人一次增量签名）。对评标结果有不同意见的，"
                      "以书面方式阐述其不同意见和理由；拒绝在评标报告上签字且不陈述不同意见和理由的，视为同意评标结果"
                      "（《招标投标法实施条例》第五十三条）。Members sign in this order, each with their own dongle; "
                      "dissent or refusal is stated with written reasons; a member who refuses to sign without "
                      "written reasons is taken to agree. Verify: bidclient evaluation verify-report FILE"),
        slots=[SignatureSlot(f"{i}. {m.name}{'（组长 chair）' if m.chair else ''}")
               for i, m in enumerate(committee, 1)],
        footer=f"{d.tender_id} {report_id}", author=d.tender_id, subject=f"{d.tender_id} {d.lot_id} {report_id}")
    manifest = {
        "format": REPORT_FORMAT, "report_id": report_id, "tender_id": d.tender_id,
        "tender_version": d.tender_version, "lot_id": d.lot_id, "created_at": created_at,
        "members": [{"expert_id": m.expert_id, "name": m.name, "chair": m.chair,
                     "certificate_sha256": m.certificate_sha256} for m in committee],
        "candidates": list(result.ranking.candidates), "slots": "@SLOTS@",
    }
    target = Path(path)
    try:
        render_report(sheet, target, json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode())
    except FormsError as ex:
        raise EvaluationError(str(ex), code="evaluation.report_render") from None
    return target


def _committee_section(committee: Sequence[Member]) -> ReportSection:
    rows = [[str(i), m.name, "组长 chair" if m.chair else "成员 member", _grouped(m.certificate_sha256)]
            for i, m in enumerate(committee, 1)]
    return ReportSection("一、评标委员会 Committee", [ReportTable(
        ["序号 No.", "姓名 Name", "职务 Role", "签名证书 SHA-256 Certificate"], rows, (1, 3, 2, 8))])


def _review_section(d: ScoringDefinition, result: EvaluationResult, bidder: Callable[[str], str],
                    expert: Callable[[str], str]) -> ReportSection:
    heading = "二、资格性审查和符合性审查 Qualification and compliance review"
    if not d.review_items:
        return ReportSection(heading, ["招标文件未设审查项，所有投标均进入详细评审。The tender sets no review items."])
    items = {i.id: i for i in d.review_items}
    rows = []
    for decision in result.review.decisions:
        item = items[decision.item_id]
        kind = "资格" if item.kind == "qualification" else "符合"
        reasons = "；".join(f"{expert(e)}：{r}" for e, r in decision.fail_reasons)
        rows.append([bidder(decision.bidder_id), f"[{kind}] {item.name}",
                     "通过 pass" if decision.passed else "不通过 fail",
                     f"{decision.passes} / {decision.passes + decision.fails}", reasons])
    parts: list[str | ReportTable] = [
        "每一审查项由评标委员会成员逐一判定，过半数判定通过为通过；判定不通过须说明理由。"
        "An item passes when more than half of the members pass it; every fail states its reason.",
        ReportTable(["投标人 Bidder", "审查项 Item", "结论 Result", "通过票 Passes", "不通过理由 Reasons"], rows,
                    (3, 3, 2, 1.5, 5))]
    if result.review.excluded:
        for exclusion in result.review.excluded:
            failed = "、".join(items[x.item_id].name for x in exclusion.failed)
            parts.append(f"{bidder(exclusion.bidder_id)}：投标无效（未通过：{failed}）。理由："
                         + "；".join(exclusion.reasons) + f" — excluded ({failed}).")
    else:
        parts.append("所有投标均通过审查。Every bid passed the review.")
    return ReportSection(heading, parts)


def _price_section(d: ScoringDefinition, result: EvaluationResult, bidder: Callable[[str], str]) -> ReportSection:
    price = result.price
    deduction = f"{d.sme_deduction.normalize():f}%" if d.sme_deduction > 0 else "无 none"
    parts: list[str | ReportTable] = [
        f"小微企业价格扣除 Small/micro enterprise price deduction: {deduction}（财库〔2022〕19号）。"
        "评标价 = 投标报价 ×（1 − 扣除比例）。",
        f"评标基准价 Benchmark = {price.benchmark_calculation.formula}（有效投标的最低评标价 the lowest evaluated "
        "price of the bids still in）。",
    ]
    if d.method == "comprehensive":
        parts.append("价格分 = 评标基准价 / 评标价 × 100（《政府采购货物和服务招标投标管理办法》第五十五条）；"
                     "各步计算结果保留两位小数，四舍五入 (each step rounds to 2 decimals, half up)。")
        rows = [[bidder(s.bidder_id), show(s.price), "是 yes" if s.sme else "否 no", s.evaluated_calculation.formula,
                 s.score_calculation.formula if s.score_calculation else "",
                 s.weighted_calculation.formula if s.weighted_calculation else ""] for s in price.scores]
        parts.append(ReportTable(["投标人 Bidder", "投标报价 Price", "小微企业 SME", "评标价 Evaluated",
                                  "价格分 Price score", "加权 Weighted"], rows, (3, 3, 1.4, 4, 4, 3.4)))
    else:
        rows = [[bidder(s.bidder_id), show(s.price), "是 yes" if s.sme else "否 no", s.evaluated_calculation.formula]
                for s in price.scores]
        parts.append(ReportTable(["投标人 Bidder", "投标报价 Price", "小微企业 SME", "评标价 Evaluated"], rows,
                                 (3, 2.5, 1.5, 5)))
    return ReportSection("三、价格计算 Price calculation", parts)


def _scores_section(d: ScoringDefinition, result: EvaluationResult, bidder: Callable[[str], str],
                    expert: Callable[[str], str]) -> ReportSection:
    parts: list[str | ReportTable] = [
        "评分点 Criteria: " + "；".join(
            f"{c.name}（{'客观' if c.kind == 'objective' else '主观'}，{show(c.minimum)}–{show(c.maximum)} 分，"
            f"权重 {c.weight.normalize():f}%{'，计算得出 computed' if c.price else ''}）" for c in d.criteria),
        "表中为 原始分（加权分）raw score (weighted)；加权分 = 原始分 / 满分 × 权重。",
    ]
    experts = sorted({t.expert_id for t in result.totals})
    names = {c.id: c.name for c in d.criteria}
    for expert_id in experts:
        rows = []
        for totals in (t for t in result.totals if t.expert_id == expert_id):
            rows.append([bidder(totals.bidder_id)] + [f"{show(line.score)} ({show(line.weighted)})"
                                                     for line in totals.lines] + [show(totals.total)])
        header = ["投标人 Bidder"] + [names[c.id] for c in d.criteria] + ["合计 Total"]
        parts += [f"专家 Expert: {expert(expert_id)}", ReportTable(header, rows, [3] + [2] * len(d.criteria) + [2])]
    return ReportSection("四、各评委评分 Every expert's scores", parts)


def _art64_section(d: ScoringDefinition, result: EvaluationResult, decisions: Sequence[Art64Decision],
                   bidder: Callable[[str], str], expert: Callable[[str], str]) -> ReportSection:
    names = {c.id: c.name for c in d.criteria}
    parts: list[str | ReportTable] = [
        "评分汇总后，仅下列情形可修改评分（《政府采购货物和服务招标投标管理办法》第六十四条）：分值汇总计算错误；"
        "分项评分超出评分标准规定的评分范围；客观评审因素评分不一致；经评标委员会认定评分畸高、畸低。"
        "After the totals, scores change only on these four grounds (87号令 Art. 64).",
        f"畸高畸低规则 Deviation rule: 主观分与其他专家同项平均分之差超过该项分值范围的 "
        f"{d.abnormal_deviation_percent.normalize():f}%（3 名及以上专家时检查）。",
    ]
    rows = []
    for flag in result.flags:
        decided = next((x for x in decisions if (x.code, x.expert_id, x.bidder_id, x.criterion_id)
                        == (flag.code, flag.expert_id, flag.bidder_id, flag.criterion_id)), None)
        if decided is None:
            outcome = "未记录决定 no decision recorded"
        elif decided.outcome == "changed":
            new = show(decided.new_value) if decided.new_value is not None else ""
            outcome = f"修改为 changed to {new}：{decided.reason}"
        else:
            outcome = f"维持 kept：{decided.reason}"
        rows.append([_FLAG_NAMES[flag.code], expert(flag.expert_id), bidder(flag.bidder_id),
                     names.get(flag.criterion_id or "", "合计 total"), flag.detail.formula, outcome])
    if rows:
        parts.append(ReportTable(["情形 Ground", "专家 Expert", "投标人 Bidder", "评分点 Criterion", "计算 Check",
                                  "决定 Decision"], rows, (3, 2, 2.5, 2.5, 4, 4)))
    else:
        parts.append("未发现需复核的评分。No score was flagged.")
    return ReportSection("五、评分复核（第六十四条）Art. 64 checks and decisions", parts)


def _ranking_section(result: EvaluationResult, bidder: Callable[[str], str]) -> ReportSection:
    ranking = result.ranking
    rows = [[str(r.rank) + ("（并列 tied）" if r.tied else ""), bidder(r.bidder_id),
             r.calculation.formula if r.final is not None else "",
             show(r.technical) if r.technical is not None else "", show(r.price), show(r.evaluated_price)]
            for r in ranking.rows]
    candidates = "、".join(f"第{i}名 {bidder(b)}" for i, b in enumerate(ranking.candidates, 1))
    parts: list[str | ReportTable] = [
        f"排序规则 Rule: {ranking.tie_rule}",
        ReportTable(["名次 Rank", "投标人 Bidder", "最终得分 Final score", "技术分 Technical", "投标报价 Price",
                     "评标价 Evaluated"], rows, (1.5, 3, 5, 2, 2.5, 2.5)),
        f"推荐中标候选人 Recommended candidates: {candidates}。",
    ]
    if ranking.unresolved_tie:
        parts.append("注意：推荐名额的分界处有并列，由评标委员会按招标文件规定确定。"
                     "A tie crosses the candidates' cut-off: the committee decides as the tender says.")
    return ReportSection("六、评审结果 Ranking and recommended candidates", parts)


def _clarifications_section(items: Sequence[ReportClarification], bidder: Callable[[str], str]) -> ReportSection:
    heading = "七、澄清 Clarifications"
    if not items:
        return ReportSection(heading, ["评标委员会未要求投标人澄清。The committee asked no bidder to clarify."])
    rows = []
    for c in items:
        if c.answer is None:
            exchange = f"问 Q：{c.question}　答 A：（未答复 not answered）"
            state = "未答复 not answered"
        else:
            exchange = f"问 Q：{c.question}　答 A：{c.answer}"
            state = "投标人签名已验证 bidder's signature verified" if c.verified \
                else "签名未通过验证 signature NOT verified"
        rows.append([bidder(c.bidder_id), exchange, f"{c.asked_at} / {c.answered_at or '—'}", state])
    return ReportSection(heading, [
        "澄清通过平台以书面形式提出，投标人以数字证书签名答复；澄清不得超出投标文件的范围或改变投标文件的实质性内容。"
        "Requests were put in writing through the platform and answered signed with the bidder's certificate; a "
        "clarification may not change the substance of the bid.",
        ReportTable(["投标人 Bidder", "问题与答复 Question and answer", "提出 / 答复时间 Asked / answered",
                     "签名 Signature"], rows, (2.5, 7.5, 3, 3.5))])


# --- reading a report ----------------------------------------------------------------------------------


def _read(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise BidclientError(f"{path} does not exist", code="io.input_missing") from None
    except OSError as ex:
        raise BidclientError(f"cannot read {path}: {ex.strerror}", code="io.error") from None
    if not data.startswith(b"%PDF-"):
        raise _unreadable(f"{path} is not a PDF")
    return data


# --- signing -------------------------------------------------------------------------------------------


def statement_text(decision: Decision, reasons: str = "") -> str:
    """The signature reason that states a member's position."""
    reasons = reasons.strip()
    if decision != "agree" and not reasons:
        raise EvaluationError(_("disagreeing or refusing needs written reasons"),
                              code="evaluation.dissent_without_reasons")
    if len(reasons) > MAX_REASONS or any(ord(ch) < 32 and ch != "\n" for ch in reasons):
        raise EvaluationError(f"the reasons are at most {MAX_REASONS} characters of text",
                              code="evaluation.dissent_without_reasons")
    head = f"{_LABELS[decision]} {decision}"
    return f"{head}: {reasons}" if reasons else head


def sign_report(path: str | Path, signer: Signer, decision: Decision = "agree", reasons: str = "", *,
                output: str | Path | None = None, allow_skip: bool = False, timestamper: Timestamper | None = None,
                time_text: Callable[[datetime], str] | None = None) -> Member:
    """Add the signer's revision to the report (in place, or to ``output``): their signature stating
    ``decision`` ("agree"; "dissent" or "refuse" with ``reasons``). The signer must be the next member
    in committee order (with ``allow_skip``, any later member: those skipped did not sign); the existing
    signatures must be intact. Written atomically: a failure (wrong PIN) leaves the file as it was.
    Returns the member who signed. Raises EvaluationError, forms and crypto errors."""
    source = Path(path)
    data = _read(source)
    manifest = _read_manifest(data)
    reason = statement_text(decision, reasons)
    fingerprint = Member.fingerprint(signer.certificate)
    index = next((i for i, m in enumerate(manifest.members) if m.certificate_sha256 == fingerprint), None)
    if index is None:
        raise EvaluationError(f"{readable_name(signer.certificate.subject)} is not a member of this committee",
                              code="evaluation.report_signer")
    # Only intactness matters here (trust is the verifier's business); the signer's own chain as roots
    # keeps the validator from searching for paths it cannot find.
    with _quiet_validator():
        existing = verify_pdf(source, [*signer.chain] or [signer.certificate])
    signed: list[int] = []
    for report in existing.signatures:
        if not (report.intact and report.valid):
            raise EvaluationError(f"signature {report.field_name!r} is not intact: {report.problem}",
                                  code="evaluation.report_invalid")
        match = _FIELD.match(report.field_name)
        if match is None:
            raise EvaluationError(f"unexpected signature {report.field_name!r}", code="evaluation.report_invalid")
        signed.append(int(match.group(1)) - 1)
    if existing.signatures and not existing.signatures[-1].covers_whole_file:
        raise EvaluationError("content was added after the last signature", code="evaluation.report_invalid")
    member = manifest.members[index]
    if index in signed:
        raise EvaluationError(f"{member.name} has already signed this report", code="evaluation.report_signer")
    expected = signed[-1] + 1 if signed else 0
    if index < expected:
        raise EvaluationError(f"{member.name} comes before {manifest.members[signed[-1]].name}, who has signed",
                              code="evaluation.report_signer")
    if index > expected and not allow_skip:
        raise EvaluationError(f"{manifest.members[expected].name} signs before {member.name}",
                              code="evaluation.report_signer")
    page, box = manifest.slots[index]
    sign_pdf(source, Path(output) if output is not None else source, signer, field_name=f"member-{index + 1}",
             page=page, box=box, seal_name=member.name, reason=reason, timestamper=timestamper,
             time_text=time_text)
    return member


# --- verifying -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberStatus:
    member: Member
    state: MemberState
    reasons: str
    signing_time: datetime | None
    field_name: str


@dataclass(frozen=True)
class ReportVerification:
    manifest: ReportManifest
    members: tuple[MemberStatus, ...]
    signatures: PdfVerification
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def complete(self) -> bool:
        """Every member signed or refused with reasons."""
        return all(m.state != "not_signed" for m in self.members)

    def require_valid(self) -> None:
        if self.problems:
            raise EvaluationError("; ".join(self.problems), code="evaluation.report_invalid")


def verify_report(path: str | Path, trust_roots: Sequence[x509.Certificate], *,
                  intermediates: Sequence[x509.Certificate] = (), allow_fetching: bool = False) -> ReportVerification:
    """Verify the report at ``path`` offline (see the module's doc) against ``trust_roots``, building
    paths with ``intermediates`` too (not trusted by themselves). Never raises for a bad signature: read
    ``problems``; raises EvaluationError when the file is not a report at all."""
    source = Path(path)
    data = _read(source)
    manifest = _read_manifest(data)
    try:
        with _quiet_validator():
            checked = verify_pdf(source, trust_roots, allow_fetching=allow_fetching, intermediates=intermediates)
        reasons = _signature_reasons(data)
    except FormsError as ex:
        raise _unreadable(str(ex)) from None
    problems: list[str] = []
    if not checked.signatures:
        problems.append("no member has signed the report")
    states: dict[int, MemberStatus] = {}
    last = -1
    for report in checked.signatures:
        if not report.ok:
            problems.append(f"signature {report.field_name!r}: {report.problem}")
        match = _FIELD.match(report.field_name)
        index = int(match.group(1)) - 1 if match else -1
        if not 0 <= index < len(manifest.members):
            problems.append(f"signature {report.field_name!r} is not a committee member's")
            continue
        member = manifest.members[index]
        certificate = report.signer_certificate
        if certificate is None or Member.fingerprint(certificate) != member.certificate_sha256:
            problems.append(f"signature {report.field_name!r} is not by {member.name}'s certificate")
        if index in states:
            problems.append(f"{member.name} signed twice")
        elif index < last:
            problems.append(f"{member.name} signed after a member who comes later in the committee order")
        last = max(last, index)
        statement = _statement(reasons.get(report.field_name))
        if statement is None:
            problems.append(f"signature {report.field_name!r} does not state agree, dissent or refuse")
        decision, text = statement if statement is not None else ("agree", "")
        state: MemberState = "agreed" if decision == "agree" else "dissented" if decision == "dissent" else "refused"
        states.setdefault(index, MemberStatus(member, state, text, report.timestamp_time or report.signing_time,
                                              report.field_name))
    if checked.signatures and not checked.signatures[-1].covers_whole_file:
        problems.append("content was added after the last signature")
    if checked.signatures:
        problems += _manifest_changes(data, manifest, checked)
    members = tuple(states.get(i, MemberStatus(m, "not_signed", "", None, ""))
                    for i, m in enumerate(manifest.members))
    return ReportVerification(manifest, members, checked, tuple(problems))


def _manifest_changes(data: bytes, manifest: ReportManifest, checked: PdfVerification) -> list[str]:
    """The manifest must be the one the first signature covered."""
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        first = next(iter(reader.embedded_signatures))
        byte_range: Any = first.byte_range
        end = int(byte_range[2]) + int(byte_range[3])
        signed = _read_manifest(data[:end])
    except (EvaluationError, StopIteration, ValueError, TypeError, IndexError, KeyError):
        return ["the manifest the first signature covers cannot be read"]
    return [] if signed.raw == manifest.raw else ["the manifest was changed after the first signature"]
