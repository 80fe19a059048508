"""certconv.base._console: printable values, display width, code-page fallbacks, JSON for a stream, emit."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from pki import issue, to_pem

import certconv
from certconv._inspect import inspect_bundle
from certconv.base._console import SYMBOLS, emit, fit, json_text, ljust, prepare_stream, printable, shorten, width


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb", "a\\x1b[2Jb"),  # CSI: clear screen
        ("\x1b]52;c;SGVsbG8=\x07", "\\x1b]52;c;SGVsbG8=\\x07"),  # OSC 52: write the clipboard
        ("x\n OK    trusted.example", "x\\n OK    trusted.example"),
        ("cr\rtab\tdel\x7fnul\x00", "cr\\rtab\\tdel\\x7fnul\\x00"),
        ("c1\x9b31m\x85", "c1\\x9b31m\\x85"),
        ("\u202aL\u202bR\u202cP\u202dO\u202eE", "\\u202aL\\u202bR\\u202cP\\u202dO\\u202eE"),
        ("\u2066i\u2067i\u2068i\u2069", "\\u2066i\\u2067i\\u2068i\\u2069"),
        ("\u200elrm\u200frlm\u061calm", "\\u200elrm\\u200frlm\\u061calm"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("bad byte \udcff", "bad byte \\udcff"),  # a file name that is not UTF-8 (surrogateescape)
    ],
)
def test_printable_shows_controls_bidi_and_separators_as_escapes(raw: str, shown: str) -> None:
    assert printable(raw) == shown
    assert printable(shown) == shown  # escaping twice changes nothing


@pytest.mark.parametrize("clean", ["测试根证书", "Contoso Root CA", "हिन्दी प्रमाणपत्र", "مرجع الشهادات", "Ünïcödé é"])
def test_printable_keeps_every_script(clean: str) -> None:
    assert printable(clean) is clean


def test_width_counts_terminal_columns() -> None:
    assert width("abc") == 3
    assert width("测试根证书") == 10  # East Asian wide: two each
    assert width("ＡＢ") == 4  # full-width
    assert width("e\u0301") == 1  # a combining accent takes no column
    assert width("→…·") == 3


def test_ljust_and_shorten_by_display_width() -> None:
    assert ljust("测试", 6) == "测试  "
    assert width(ljust("中间 CA", 12)) == 12
    assert shorten("测试根证书", 5) == "测试…"
    assert width(shorten("测试根证书测试根证书", 9)) <= 9
    assert shorten("short", 40) == "short"


@pytest.mark.parametrize(
    ("encoding", "text", "expected"),
    [
        ("cp1252", "→ ✗ 🔑 ├── └── │ ─", "-> x [key] |-- `-- | -"),
        ("cp1252", "… ·", "… ·"),  # cp1252 has both
        ("ascii", "… · — “q”", "... - -- \"q\""),
        ("cp437", "├── └── │ → ✗", "├── └── │ -> x"),  # old consoles have the tree lines
        ("cp936", "测试根证书 → 🔑", "测试根证书 → [key]"),  # GBK has Chinese and the arrow
        ("cp1252", "测试 łódź", "\\u6d4b\\u8bd5 \\u0142ód\\u017a"),  # name characters a code page lacks: escapes
        ("utf-8", "测试 → 🔑", "测试 → 🔑"),
        ("utf-8", "bad \udcff", "bad \\udcff"),  # no UTF codec writes a lone surrogate
    ],
)
def test_fit_falls_back_to_ascii_symbols_and_escapes(encoding: str, text: str, expected: str) -> None:
    assert fit(text, encoding) == expected
    fit(text, encoding).encode(encoding)  # always encodable


def test_every_non_ascii_symbol_certconv_prints_has_an_ascii_fallback() -> None:
    # Every non-ASCII character in the code that renders text, but Chinese (UPLOAD.md, the split summary's
    # "简体中文", which has its own fallback) and what only docstrings and comments hold.
    root = Path(certconv.__file__).parent
    shown = set()
    names = ("text/_split.py", "text/_inspect.py", "text/_conversion.py", "_verify.py", "azure/_facts.py")
    cli = sorted(str(path.relative_to(root)) for path in (root / "cli").glob("*.py"))
    for name in (*names, "azure/_checks.py", "bundle/_chain.py", *cli):
        for line in (root / name).read_text("utf-8").splitlines():
            if line.strip().startswith(("#", '"""')) or "``" in line:
                continue
            shown |= {c for c in line if ord(c) > 127 and not "\u4e00" <= c <= "\u9fff"}
    assert shown, "the scan found nothing: it is broken"
    assert shown <= set(SYMBOLS), shown - set(SYMBOLS)
    assert all(v.isascii() for v in SYMBOLS.values())


def test_tree_fallbacks_keep_the_tree_aligned() -> None:
    for line in ("├── ", "└── ", "│   "):
        assert width(fit(line, "ascii")) == width(line)


@pytest.mark.parametrize("encoding", ["cp1252", "cp437", "cp936", "ascii"])
def test_json_on_a_code_page_is_ascii_and_parses_to_the_same_values(encoding: str) -> None:
    value = {"cn": "测试根证书", "san": "evil\n OK", "c1": "\x9b\x85", "bidi": "\u202e", "emoji": "🔑", "é": "ł"}
    text = json_text(json.dumps(value, ensure_ascii=False), encoding)
    assert text.isascii()
    assert json.loads(text.encode(encoding).decode(encoding)) == value


def test_json_in_utf8_keeps_chinese_and_always_escapes_c1_and_bidi() -> None:
    value = {"cn": "测试根证书", "c1": "a\x9bb\x85", "bidi": "\u202e\u2066\u200f\u061c", "sep": "\u2028"}
    text = json_text(json.dumps(value, ensure_ascii=False), "utf-8")
    assert "测试根证书" in text
    assert not re.search("[\x80-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028]", text), text
    assert json.loads(text) == value


def _stream(encoding: str) -> tuple[io.TextIOWrapper, io.BytesIO]:
    raw = io.BytesIO()
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", write_through=True), raw


@pytest.mark.parametrize("encoding", ["cp1252", "cp437", "cp936", "ascii", "utf-8"])
def test_emit_writes_in_the_stream_encoding_and_never_a_raw_control(encoding: str) -> None:
    stream, raw = _stream(encoding)
    emit("└── 测试根证书  🔑 private key matches\x1b[2J\u202e", stream)
    text = raw.getvalue().decode(encoding)
    assert text.endswith("\n") and text.count("\n") == 1
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b[2J\\u202e" in text


def test_emit_keeps_colour_codes_only_when_asked() -> None:
    stream, raw = _stream("utf-8")
    emit("\x1b[31mEXPIRED\x1b[0m \x1b]52;c;x\x07", stream, ansi=True)
    assert raw.getvalue().decode() == "\x1b[31mEXPIRED\x1b[0m \\x1b]52;c;x\\x07\n"
    stream, raw = _stream("utf-8")
    emit("\x1b[31mEXPIRED\x1b[0m", stream)
    assert raw.getvalue().decode() == "\\x1b[31mEXPIRED\\x1b[0m\n"


class _GoneReader(io.StringIO):
    encoding = "cp1252"

    def write(self, _: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_emit_to_a_closed_pipe_is_quiet() -> None:
    failed = emit("anything", _GoneReader())  # no exception: the reader went away (`| head`)
    assert isinstance(failed, BrokenPipeError)
    assert emit("anything", None) is None  # no stdout at all (pythonw, a closed descriptor)


def test_prepare_stream_makes_a_code_page_stream_fall_back_instead_of_failing() -> None:
    stream, raw = _stream("cp1252")
    with pytest.raises(UnicodeEncodeError):
        stream.write("→")
    prepare_stream(stream)
    stream.write("→ 测")
    assert raw.getvalue() == b"-> \\u6d4b"


def _chinese_bundle() -> certconv.Bundle:
    root = issue("测试根证书", ca=True)
    intermediate = issue("中间 CA", root, ca=True)
    leaf = issue("后端.example", intermediate, san=["backend.example"])
    return certconv.load(to_pem([leaf, intermediate, root]))


@pytest.mark.parametrize("encoding", [None, "cp936", "cp1252", "ascii"])
def test_split_table_aligns_chinese_names_by_display_width(tmp_path: Path, encoding: str | None) -> None:
    manifest = certconv.write_split(_chinese_bundle(), tmp_path / "o")
    lines = certconv.render_split(manifest, encoding=encoding).splitlines()
    header = next(line for line in lines if line.startswith("ROLE"))
    rows = [line for line in lines if line.startswith(("root ", "intermediate ", "leaf "))]
    column = width(header.split("EXPIRES")[0])
    assert len(rows) == 3
    assert all(width(row.split("  20")[0]) + 2 == column for row in rows), [header, *rows]
    if encoding is not None:
        "\n".join(lines).encode(encoding)


@pytest.mark.parametrize("encoding", [None, "cp936", "cp1252", "ascii"])
def test_inspect_tree_aligns_chinese_names_by_display_width(encoding: str | None) -> None:
    text = inspect_bundle(_chinese_bundle()).render(encoding=encoding)
    rows = [line for line in text.splitlines() if re.search(r"(root|intermediate|leaf) {2,}", line)]
    assert len(rows) == 3
    assert len({width(row.split("EC P-256")[0]) for row in rows}) == 1, rows
    if encoding is not None:
        text.encode(encoding)
    if encoding in ("cp1252", "ascii"):
        assert "`-- root" in text and "`-- leaf" in text
