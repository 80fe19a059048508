"""MkDocs hook: pages made from the code at build time, so they cannot drift.

* ``cli.md``: every command, its usage and a table of its options (each with an
  anchor), read from the click command typer builds from ``certconv.cli.app``.
* ``json.md``: every JSON Schema the package ships, where the page says ``<!-- SCHEMAS -->``.
* Pages whose front matter says ``lang: zh-CN`` get ``<html lang="zh-CN">``.
* ``index.md``: the README, included where the page says ``<!-- README -->``.
  The README's links are absolute (they must work on PyPI too); those into this
  repository's ``docs/`` become site links (``x.md``), other repository paths stay
  links to the repository.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[2]
README_MARKER = "<!-- README -->"
SCHEMAS_MARKER = "<!-- SCHEMAS -->"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
REPOSITORY_DOCS = "https://github.com/certconv/certconv/blob/main/docs/"


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    files.append(File.generated(config, "cli.md", content=cli_reference()))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files, **_: Any) -> str:
    if README_MARKER in markdown:
        markdown = markdown.replace(README_MARKER, readme_for_site())
    if SCHEMAS_MARKER in markdown:
        markdown = markdown.replace(SCHEMAS_MARKER, schemas_for_site())
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig, **_: Any) -> str:
    """A page whose front matter says ``lang: zh-CN`` is marked so (the theme marks every page ``en``).

    Screen readers, search engines and the browser's font choice (Chinese glyphs, not
    Japanese ones) go by this attribute; the theme sets one language for the whole site.
    """
    lang = page.meta.get("lang")
    if isinstance(lang, str) and re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        output = re.sub(r'<html lang="[^"]*"', f'<html lang="{lang}"', output, count=1)
    return output


def cli_reference() -> str:
    """Markdown for docs/cli.md, read from the click command typer builds from ``certconv.cli.app``.

    A heading per command, its usage line, then its arguments and options as a table
    whose rows each have an anchor (``#split-out``). Typer ships its own copy of click,
    so this walks the command objects rather than using a click-only docs extension.
    """
    import typer

    from certconv.cli import app

    root = typer.main.get_command(app)
    commands: dict[str, Any] = getattr(root, "commands", {})
    lines = [
        "# CLI reference",
        "",
        "Generated from the `certconv` command itself each time the site is built "
        "(`docs/hooks/generate.py` reads the options typer declares), so it always matches the code. "
        "`certconv COMMAND -h` prints the same help in a terminal; `python -m certconv` works wherever "
        "`certconv` is not on PATH.",
        "",
        "```text",
        "certconv [--version] [-h] COMMAND [OPTIONS] [ARGUMENTS]",
        "```",
        "",
        "| Command | What it does |",
        "| --- | --- |",
    ]
    lines += [f"| [`{name}`](#{name}) | {_cell(_first_line(cmd.help))} |" for name, cmd in commands.items()]
    lines += ["", "Options of `certconv` itself (`-h`/`--help` works on every command too):", ""]
    lines += _table("certconv", root)
    for name, command in commands.items():
        lines += ["", f"## certconv {name} {{#{name}}}", ""]
        lines += [_paragraphs(command.help), "", "```text", _usage(name, command), "```", ""]
        lines += _table(name, command)
    return "\n".join(lines) + "\n"


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n")[0]


def _paragraphs(text: str | None) -> str:
    """The command's docstring as paragraphs (typer keeps its line breaks)."""
    blocks = [" ".join(block.split()) for block in (text or "").strip().split("\n\n")]
    return "\n\n".join(_escape(block) for block in blocks if block)


def _usage(name: str, command: Any) -> str:
    """``certconv NAME [OPTIONS] ARGS`` (arguments as typer names them; optional ones in brackets)."""
    pieces = [f"certconv {name}", "[OPTIONS]"]
    for param in command.params:
        if getattr(param, "param_type_name", "") == "argument":
            metavar = param.metavar or param.name.upper()
            pieces.append(metavar if param.required else f"[{metavar}]")
    return " ".join(pieces)


def _table(command_name: str, command: Any) -> list[str]:
    rows = ["| Option | Description |", "| --- | --- |"]
    for param in command.params:
        if getattr(param, "hidden", False):
            continue
        anchor = f"{command_name}-{_slug(param)}"
        rows.append(f"| <span id=\"{anchor}\"></span>[{_names(param)}](#{anchor}) | {_description(param)} |")
    return rows


def _slug(param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.name).replace("_", "-")
    longest = max(param.opts, key=len)
    return longest.lstrip("-")


def _names(param: Any) -> str:
    """``-o``, ``--out PATH``; ``--probe / --no-probe``; ``INPUT...`` for an argument."""
    if getattr(param, "param_type_name", "") == "argument":
        return f"`{param.metavar or param.name.upper()}`"
    opts = sorted(param.opts, key=len)
    metavar = "" if param.is_flag else f" {param.metavar or _type_name(param)}"
    names = ", ".join(f"`{o}`" for o in opts[:-1]) + (", " if len(opts) > 1 else "") + f"`{opts[-1]}{metavar}`"
    if param.secondary_opts:
        names += " / " + ", ".join(f"`{o}`" for o in param.secondary_opts)
    return names


def _type_name(param: Any) -> str:
    choices = getattr(param.type, "choices", None)
    if choices:
        return "[" + "|".join(str(getattr(c, "value", c)) for c in choices) + "]"
    return str(getattr(param.type, "name", "value")).upper()


def _description(param: Any) -> str:
    parts = [_escape(" ".join((getattr(param, "help", None) or "").split()))]
    if param.required:
        parts.append("*Required.*")
    default = param.default
    shown = getattr(default, "value", default)
    if getattr(param, "param_type_name", "") == "argument" and param.nargs == -1:
        parts.append("One or more.")
    elif getattr(param, "multiple", False):
        parts.append("" if "repeatable" in parts[0].lower() else "Repeatable.")
    elif shown not in (None, False, "", ()) and not callable(shown):
        parts.append(f"Default: `{shown}`.")
    return _cell(" ".join(p for p in parts if p))


def _escape(text: str) -> str:
    """Help text as Markdown text: <, > and & shown as they are, never taken for HTML."""
    return html.escape(text, quote=False)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def schemas_for_site() -> str:
    """Each shipped JSON Schema as a collapsed block, read from the package the site documents."""
    import certconv

    blocks = []
    for name in certconv.JSON_DOCUMENTS:
        text = json.dumps(certconv.json_schema(name), indent=2, ensure_ascii=False)
        body = "\n".join(f"    {line}" for line in ["```json", *text.splitlines(), "```"])
        blocks.append(f'??? example "certconv/schemas/{name}.schema.json"\n\n{body}\n')
    return "\n".join(blocks)


def readme_for_site() -> str:
    """The README's text with links into the repository's docs/ made into links inside the site."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def fix(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if target.startswith(REPOSITORY_DOCS):
            return f"[{label}]({target.removeprefix(REPOSITORY_DOCS)})"
        return match.group(0)

    return _LINK.sub(fix, text)
