"""The documentation site as a reader gets it: built with ``mkdocs build --strict``, then read.

Chinese pages are marked ``lang="zh-CN"`` and show no space between two Chinese characters (a
line break inside a Chinese sentence in the Markdown source becomes one); no page loads fonts
from Google's font service (slow or blocked in mainland China); the CLI reference, generated
from the typer app, has a heading per command, an anchor per option and no code line over 90
characters. Skipped where the docs extra (mkdocs) is not installed; CI installs it.
"""

from __future__ import annotations

import html
import importlib.util
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import typer

import certconv
from certconv.cli import app

pytest.importorskip("mkdocs")
pytest.importorskip("material")

ROOT = Path(__file__).resolve().parents[1]
CJK = "\u3400-\u4dbf\u4e00-\u9fff"  # Han characters (CJK unified ideographs and extension A)
_INLINE = "a|abbr|b|code|em|i|kbd|mark|small|span|strong|sub|sup"
_GOOGLE_FONTS = ("fonts.googleapis", "fonts.gstatic")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(folder)],
        cwd=ROOT,
        check=True,
        timeout=600,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return folder


def hooks() -> ModuleType:
    """docs/hooks/generate.py, the MkDocs hook that makes the generated pages."""
    spec = importlib.util.spec_from_file_location("certconv_docs_hooks", ROOT / "docs" / "hooks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def visible_text(page: str) -> str:
    """The page's text as a browser lays it out: inline tags vanish, other tags separate (NUL)."""
    body = re.sub(r"<(script|style)\b.*?</\1>", "\x00", page, flags=re.S)
    body = re.sub(rf"</?(?:{_INLINE})\b[^>]*>", "", body)
    return html.unescape(re.sub(r"<[^>]+>", "\x00", body))


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) > 10
    return found


# -- Chinese pages --------------------------------------------------------------------------


def chinese_sources() -> list[Path]:
    return sorted((ROOT / "docs").glob("*.zh.md"))


def test_there_is_a_chinese_guide() -> None:
    assert [p.name for p in chinese_sources()] == ["apim-guide.zh.md"]


@pytest.mark.parametrize("source", chinese_sources(), ids=lambda p: p.name)
def test_chinese_pages_are_marked_zh_cn_and_english_ones_en(site: Path, source: Path) -> None:
    built = site / source.name.removesuffix(".md") / "index.html"
    assert re.search(r'<html lang="zh-CN"', built.read_text(encoding="utf-8"))
    english = site / source.name.removesuffix(".zh.md") / "index.html"
    assert re.search(r'<html lang="en"', english.read_text(encoding="utf-8"))


def test_no_page_shows_a_space_between_two_chinese_characters(site: Path) -> None:
    found = {}
    for page in pages(site):
        hits = re.findall(rf"[{CJK}][^\S\x00]+[{CJK}]", visible_text(page.read_text(encoding="utf-8")))
        if hits:
            found[page.relative_to(site).as_posix()] = hits[:5]
    assert not found


def test_the_check_sees_a_stray_space_where_a_line_breaks_inside_a_sentence() -> None:
    assert re.search(rf"[{CJK}][^\S\x00]+[{CJK}]", visible_text("<p>能否\n一直链接</p>"))
    assert re.search(rf"[{CJK}][^\S\x00]+[{CJK}]", visible_text("<p>你的 <strong>私有根</strong></p>"))
    assert not re.search(rf"[{CJK}][^\S\x00]+[{CJK}]", visible_text("<li>原因</li>\n<li>准备</li>"))


@pytest.mark.parametrize("source", chinese_sources(), ids=lambda p: p.name)
def test_chinese_sources_break_no_line_between_two_chinese_characters(source: Path) -> None:
    """The rule the writer follows: one line per paragraph (code blocks aside)."""
    lines = source.read_text(encoding="utf-8").splitlines()
    fenced = False
    for number, (line, following) in enumerate(itertools.pairwise(lines), start=1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and re.search(rf"[{CJK}]$", line) and re.match(rf"\s*[{CJK}]", following):
            pytest.fail(f"{source.name}:{number}: line break inside a Chinese sentence")


# -- no third-party font service --------------------------------------------------------------


def test_no_built_file_refers_to_google_fonts(site: Path) -> None:
    offenders = [
        path.relative_to(site).as_posix()
        for path in site.rglob("*")
        if path.is_file()
        and path.suffix in (".html", ".css", ".js", ".xml", ".json")
        and any(host in path.read_text(encoding="utf-8", errors="replace") for host in _GOOGLE_FONTS)
    ]
    assert not offenders


# -- the CLI reference ----------------------------------------------------------------------


def commands() -> dict[str, Any]:
    found: dict[str, Any] = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    return found


def test_cli_reference_has_a_heading_per_command(site: Path) -> None:
    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    headings = re.findall(r'<h2 id="([^"]+)">certconv (\w+)', page)
    assert headings == [(name, name) for name in commands()]
    assert {"split", "convert", "inspect", "verify", "fetch"} <= {name for name, _ in headings}


def test_cli_reference_has_an_anchor_per_option_of_every_command() -> None:
    """Generated from the app at build time, and every parameter of every command is in it."""
    page = hooks().cli_reference()
    for name, command in commands().items():
        for param in command.params:
            if param.param_type_name == "argument":
                anchor = f"{name}-{param.name.replace('_', '-')}"
            else:
                anchor = f"{name}-{max(param.opts, key=len).lstrip('-')}"
                for opt in param.opts:
                    assert f"`{opt}" in page, (name, opt)
            assert page.count(f'id="{anchor}"') == 1, anchor
            assert f"](#{anchor})" in page


def test_cli_reference_code_lines_are_at_most_90_characters(site: Path) -> None:
    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    blocks = [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in re.findall(r"<pre\b.*?</pre>", page, re.S)]
    assert blocks
    assert max(len(line) for block in blocks for line in block.splitlines()) <= 90


def test_cli_reference_shows_help_text_as_text_not_html(site: Path) -> None:
    page = (site / "cli" / "index.html").read_text(encoding="utf-8")
    assert "OUT/&lt;input name&gt;/" in page  # split --each's help, not an HTML tag


# -- the JSON schemas are shown ---------------------------------------------------------------


def test_json_page_includes_every_shipped_schema(site: Path) -> None:
    page = (site / "json" / "index.html").read_text(encoding="utf-8")
    for name in certconv.JSON_DOCUMENTS:
        assert f"certconv/schemas/{name}.schema.json" in page
    assert html.escape(certconv.json_schema("fetch")["title"], quote=False) in page
