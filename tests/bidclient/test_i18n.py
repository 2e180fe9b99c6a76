"""zh_CN covers every user-visible string of the CLI and core, and keeps doing so.

Messages are extracted with scripts/update-translations itself, so a string added without a
translation fails here with its name and place; the catalog is read with bidclient.i18n, the reader
the CLI uses.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from importlib.machinery import SourceFileLoader
from pathlib import Path
from types import ModuleType

import pytest

from bidclient import i18n

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "update-translations"
ZH_PO = ROOT / "resources" / "locale" / "zh_CN" / "bidclient.po"
LANGUAGE_VARS = ("BIDCLIENT_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def _load_script() -> ModuleType:
    loader = SourceFileLoader("update_translations", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[loader.name] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def extracted(tool: ModuleType) -> tuple[list, list]:
    return tool.extract()


@pytest.fixture(scope="module")
def zh() -> dict[str, str]:
    i18n.catalog.cache_clear()
    return i18n.catalog("zh_CN")


def _where(message) -> str:
    return ", ".join(f"{path}:{line}" for path, line in message.references)


# --- the catalog is complete and safe ------------------------------------------------------------


def test_every_message_in_the_source_has_a_chinese_translation(extracted, zh: dict[str, str]) -> None:
    messages, _problems = extracted
    msgids = {m.msgid for m in messages}
    # Guards against an extractor that silently finds nothing: these come from three different files.
    assert {"The input file does not exist.", "PIN for token {name}: ", "enterprise"} <= msgids
    missing = [m for m in messages if not zh.get(m.msgid, "").strip()]
    assert not missing, (
        f"{len(missing)} message(s) have no zh_CN translation; run scripts/update-translations and fill "
        "their msgstr in resources/locale/zh_CN/bidclient.po (see docs/translating.md):\n"
        + "\n".join(f"  {m.msgid!r}  ({_where(m)})" for m in missing))


def test_every_gettext_call_has_a_literal_that_can_be_extracted(extracted) -> None:
    _messages, problems = extracted
    assert not problems, "these strings can never be translated:\n" + "\n".join(f"  {p}" for p in problems)


def test_translations_keep_exactly_the_same_placeholders(tool: ModuleType, zh: dict[str, str]) -> None:
    wrong = []
    for msgid, msgstr in zh.items():
        try:
            ok = tool.placeholders(msgstr) == tool.placeholders(msgid)
        except ValueError:  # an unbalanced brace: str.format would raise at run time
            ok = False
        if not ok:
            wrong.append(f"  {msgid!r} -> {msgstr!r}")
    assert not wrong, "translations whose {placeholders} differ from the English:\n" + "\n".join(wrong)


def test_no_translation_is_marked_fuzzy(tool: ModuleType) -> None:
    """bidclient.i18n shows every non-empty msgstr, so a guess a PO editor marked fuzzy would reach users."""
    _header, entries = tool.parse_po(ZH_PO.read_text(encoding="utf-8"), str(ZH_PO))
    fuzzy = [f"  {e.msgid!r} -> {e.msgstr!r}" for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, "review these and remove their '#, fuzzy' flag:\n" + "\n".join(fuzzy)


def test_translations_keep_leading_indentation(zh: dict[str, str]) -> None:
    """The CLI indents detail lines with the message itself; a lost indent breaks the layout."""
    def indent(text: str) -> str:
        return text[: len(text) - len(text.lstrip(" "))]

    wrong = [f"  {k!r} -> {v!r}" for k, v in zh.items() if indent(k) != indent(v)]
    assert not wrong, "translations that change the leading spaces:\n" + "\n".join(wrong)


def test_format_calls_pass_exactly_the_placeholders_of_their_message(tool: ModuleType) -> None:
    """_("... {x}").format(y=...) raises KeyError in every language; catch it here, not at a user's."""
    wrong = []
    for path in tool.source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "format" and tool._is_gettext_call(node.func.value)):
                continue
            inner = node.func.value
            assert isinstance(inner, ast.Call)
            if not (inner.args and isinstance(inner.args[0], ast.Constant)) or node.args \
                    or any(k.arg is None for k in node.keywords):
                continue  # positional or **kwargs formatting: nothing to compare by name
            fields = tool.placeholders(inner.args[0].value)
            wanted = {p.strip("{}").split(":")[0].split("!")[0] for p in fields}
            given = {k.arg for k in node.keywords if k.arg is not None}
            if wanted != given:
                rel = path.relative_to(ROOT)
                wrong.append(f"  {rel}:{node.lineno}: message wants {sorted(wanted)}, gets {sorted(given)}")
    assert not wrong, "format() arguments that do not match the message:\n" + "\n".join(wrong)


def test_terminology_is_consistent(zh: dict[str, str]) -> None:
    """One Chinese term per concept (docs/translating.md): a user must not wonder whether a 令牌 and a
    证书介质, or 密封 and 加密封装, are different things."""
    avoid = {"令牌": "证书介质", "加密狗": "证书介质（CA锁）", "U盾": "证书介质（CA锁）",
             "口令": "PIN码/密码", "撤销": "吊销 (revoke) / 撤回 (withdraw)", "信任链表": "信任列表",
             "签章": "签名", "密封": "加密封装", "审计记录": "审计日志"}
    wrong = [f"  {v!r} uses {bad!r}, use {good!r}"
             for v in zh.values() for bad, good in avoid.items()
             # 撤销投标文件 is the legal term of 电子招标投标办法 Art. 31 (a bid not decrypted by the bidder's fault)
             if bad in v.replace("加密封装", "").replace("撤销投标文件", "")]
    assert not wrong, "\n".join(wrong)


# --- the CLI speaks the user's language ----------------------------------------------------------


def _run_cli(tmp_path: Path, **language: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARS}
    env.update(language)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return subprocess.run(
        [sys.executable, "-m", "bidclient.cli.main",
         "verify", "nonexistent", "--signature", "x", "--trust", "y"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_cli_error_is_chinese_with_bidclient_lang_zh_cn(tmp_path: Path) -> None:
    done = _run_cli(tmp_path, BIDCLIENT_LANG="zh_CN")
    assert done.returncode == 2, done.stderr
    assert "错误 [io.input_missing]: 输入文件不存在。" in done.stderr
    assert "请检查路径。" in done.stderr
    assert "The input file does not exist." not in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_error_is_chinese_under_a_chinese_posix_locale(tmp_path: Path) -> None:
    done = _run_cli(tmp_path, LANG="zh_CN.UTF-8")
    assert "[io.input_missing]: 输入文件不存在。" in done.stderr


def test_cli_error_is_english_with_bidclient_lang_en_even_under_a_chinese_locale(tmp_path: Path) -> None:
    done = _run_cli(tmp_path, BIDCLIENT_LANG="en", LANG="zh_CN.UTF-8")
    assert done.returncode == 2, done.stderr
    assert "error [io.input_missing]: The input file does not exist." in done.stderr
    assert "Check the path." in done.stderr
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in done.stderr), done.stderr


# --- the catalog is a standard gettext file ------------------------------------------------------


def _compile_mo(entries: dict[str, str]) -> bytes:
    """A GNU .mo file, as CPython's Tools/i18n/msgfmt.py writes it."""
    keys = sorted(entries)
    ids = b""
    strs = b""
    offsets = []
    for key in keys:
        kb, vb = key.encode(), entries[key].encode()
        offsets.append((len(ids), len(kb), len(strs), len(vb)))
        ids += kb + b"\0"
        strs += vb + b"\0"
    keystart = 7 * 4 + 16 * len(keys)
    valuestart = keystart + len(ids)
    koffsets: list[int] = []
    voffsets: list[int] = []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(keys), 7 * 4, 7 * 4 + len(keys) * 8, 0, 0)
    tables = struct.pack(f"{len(koffsets)}i", *koffsets) + struct.pack(f"{len(voffsets)}i", *voffsets)
    return header + tables + ids + strs


def test_python_gettext_reads_the_catalog_as_bidclient_does(tool: ModuleType, zh: dict[str, str]) -> None:
    header, entries = tool.parse_po(ZH_PO.read_text(encoding="utf-8"), str(ZH_PO))
    assert "charset=UTF-8" in header
    mo = _compile_mo({"": header, **{e.msgid: e.msgstr for e in entries if e.msgstr}})
    path = ZH_PO.parent / "unused"  # only for error messages of GNUTranslations
    translations = gettext.GNUTranslations(_BytesFile(mo, str(path)))
    assert {k: translations.gettext(k) for k in zh} == zh
    assert translations.info()["language"] == "zh_CN"


class _BytesFile:
    def __init__(self, data: bytes, name: str) -> None:
        self._data, self.name = data, name

    def read(self) -> bytes:
        return self._data


@pytest.fixture
def msgfmt() -> Iterator[str]:
    found = shutil.which("msgfmt")
    if found is None:
        pytest.skip("GNU gettext's msgfmt is not installed (Debian package gettext)")
    yield found


def test_gnu_msgfmt_accepts_the_catalog_and_its_brace_placeholders(msgfmt: str, tmp_path: Path,
                                                                   zh: dict[str, str]) -> None:
    mo_path = tmp_path / "bidclient.mo"
    done = subprocess.run([msgfmt, "--check", "-o", str(mo_path), str(ZH_PO)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    with open(mo_path, "rb") as f:
        translations = gettext.GNUTranslations(f)
    assert {k: translations.gettext(k) for k in zh} == zh


# --- the extractor and the merge -----------------------------------------------------------------


def test_extractor_joins_implicit_concatenation_and_finds_format_calls(tool: ModuleType) -> None:
    source = (
        'x = _("second")\n'
        'y = f"{_(\'inside f-string\')}: {z}"\n'
        'w = _("one "\n'
        '      "message").upper()\n'
        'v = _("Sealed {dir}").format(dir=d)\n'
    )
    pairs, problems = tool.extract_source(source, "m.py")
    assert pairs == [("second", 1), ("inside f-string", 2), ("one message", 3), ("Sealed {dir}", 5)]
    assert problems == []


def test_extractor_reports_calls_that_cannot_be_translated(tool: ModuleType) -> None:
    source = 'a = _(f"Signed {f}")\nb = _("x {n}".format(n=1))\nc = _(name)\n'
    _pairs, problems = tool.extract_source(source, "m.py")
    assert [(p.path, p.line) for p in problems] == [("m.py", 1), ("m.py", 2), ("m.py", 3)]
    assert 'f"Signed {f}"' in str(problems[0])


def test_merge_keeps_translations_adds_new_ones_empty_and_drops_obsolete(tool: ModuleType) -> None:
    old = tool.render_po("Language: zh_CN\nLast-Translator: Li Lei\n", [
        tool.Entry("Kept {n}", "保留 {n}", ["reviewed"], [("old.py", 1)]),
        tool.Entry("Gone", "已删除"),
    ])
    messages = [tool.Message("New", [("a.py", 3)]), tool.Message("Kept {n}", [("a.py", 9), ("b.py", 2)])]
    merged = tool.merge(messages, old, "zh_CN")
    header, entries = tool.parse_po(merged)
    assert [(e.msgid, e.msgstr) for e in entries] == [("New", ""), ("Kept {n}", "保留 {n}")]
    assert entries[1].comments == ["reviewed"]
    assert entries[1].references == [("a.py", 9), ("b.py", 2)]
    assert entries[1].flags == ["python-brace-format"]
    assert "Last-Translator: Li Lei" in header and "Plural-Forms: nplurals=1; plural=0;" in header
    assert "Gone" not in merged
    assert tool.merge(messages, merged, "zh_CN") == merged  # a second run changes nothing


def test_long_and_escaped_strings_survive_a_round_trip(tool: ModuleType) -> None:
    tricky = [
        'He said "stop" \\ then\ttab\nnew line and a long tail ' + "word " * 30,
        "长" * 120,
        "，".join(["分句"] * 40),
    ]
    text = tool.render_po("", [tool.Entry(t, t[::-1]) for t in tricky])
    assert all(len(line) <= tool.WIDTH for line in text.splitlines())
    _header, entries = tool.parse_po(text)
    assert [(e.msgid, e.msgstr) for e in entries] == [(t, t[::-1]) for t in tricky]
