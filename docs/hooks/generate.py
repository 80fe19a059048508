"""MkDocs hook: pages made from the code at build time, so they cannot drift.

* ``cli.md``: every command's ``--help``, rendered by typer's ``CliRunner`` from
  the real app (``certconv.cli.app``), in the order the app lists them.
* ``index.md``: the README, included where the page says ``<!-- README -->``.
  The README's links are absolute (they must work on PyPI too); those into this
  repository's ``docs/`` become site links (``x.md``), other repository paths stay
  links to the repository.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parents[2]
README_MARKER = "<!-- README -->"
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
REPOSITORY_DOCS = "https://github.com/certconv/certconv/blob/main/docs/"


def on_files(files: Files, config: MkDocsConfig, **_: Any) -> Files:
    files.append(File.generated(config, "cli.md", content=cli_reference()))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files, **_: Any) -> str:
    if README_MARKER in markdown:
        markdown = markdown.replace(README_MARKER, readme_for_site())
    return markdown


def cli_reference() -> str:
    """Markdown for docs/cli.md: the top-level help, then one section per command."""
    import typer
    from typer.testing import CliRunner

    from certconv.cli import app

    command = typer.main.get_command(app)
    runner = CliRunner()
    lines = [
        "# CLI reference",
        "",
        "Generated from the `certconv` command itself when the site is built "
        "(`docs/hooks/generate.py` runs each `--help`), so it always matches the code.",
        "",
        "```",
        "$ certconv --help",
        _help(runner, app, []),
        "```",
    ]
    names = list(getattr(command, "commands", {}))
    for name in names:
        lines += ["", f"## certconv {name}", "", "```", f"$ certconv {name} --help", _help(runner, app, [name]), "```"]
    return "\n".join(lines) + "\n"


def _help(runner: Any, app: Any, args: list[str]) -> str:
    result = runner.invoke(app, [*args, "--help"], prog_name="certconv", terminal_width=100)
    if result.exit_code != 0:
        raise RuntimeError(f"certconv {' '.join(args)} --help failed: {result.output}")
    return result.output.rstrip()


def readme_for_site() -> str:
    """The README's text with links into the repository's docs/ made into links inside the site."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")

    def fix(match: re.Match[str]) -> str:
        label, target = match.group(1), match.group(2)
        if target.startswith(REPOSITORY_DOCS):
            return f"[{label}]({target.removeprefix(REPOSITORY_DOCS)})"
        return match.group(0)

    return _LINK.sub(fix, text)
