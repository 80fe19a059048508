"""The Python examples of README.md and docs/*.md run, so they cannot drift from the code.

Every ```` ```python ```` block of a file runs, in order, in one namespace (as a
reader types them into one session), in a fresh folder holding the samples both
as ``samples/…`` and at the top (``bundle.pfx``), plus ``backend.pfx`` (the
sample PFX) and ``backend.key`` (its private key, PEM) that some examples name.
A block of ``>>>`` lines is a doctest: its output must match exactly. Other
blocks run as scripts and must not raise. A block whose first line is a
``# not run`` comment is skipped (it needs a live server, say); the comment says why.
"""

from __future__ import annotations

import doctest
import re
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

ROOT = Path(__file__).parent.parent
SAMPLES = ROOT / "samples"
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
_NOT_RUN = "# not run"


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(line number, code) of every ```python block of ``path`` that is to run."""
    text = path.read_text(encoding="utf-8")
    found = [(text.count("\n", 0, m.start(1)) + 1, m.group(1)) for m in _BLOCK.finditer(text)]
    return [(line, code) for line, code in found if not code.startswith(_NOT_RUN)]


def _prepare(folder: Path) -> None:
    shutil.copytree(SAMPLES, folder / "samples")
    for sample in SAMPLES.iterdir():
        shutil.copy(sample, folder / sample.name)
    password = (SAMPLES / "password.txt").read_bytes().splitlines()[0]
    shutil.copy(SAMPLES / "bundle.pfx", folder / "backend.pfx")
    key = pkcs12.load_pkcs12((SAMPLES / "bundle.pfx").read_bytes(), password).key
    assert key is not None
    (folder / "backend.key").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )


@pytest.mark.parametrize("doc", [d for d in DOCS if python_blocks(d)], ids=lambda d: d.relative_to(ROOT).as_posix())
def test_python_examples_run(doc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _prepare(tmp_path)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    name = doc.relative_to(ROOT).as_posix()
    for line, code in python_blocks(doc):
        if code.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(code, namespace, name, name, line - 1)
            runner = doctest.DocTestRunner(optionflags=doctest.REPORT_NDIFF)
            messages: list[str] = []
            runner.run(test, out=messages.append, clear_globs=False)
            assert not runner.failures, "".join(messages)
            namespace.update(test.globs)  # DocTest ran on a copy; later blocks see what it defined
        else:
            exec(compile("\n" * (line - 1) + code, name, "exec"), namespace)  # noqa: S102 - our own docs


def test_readme_and_library_guide_have_examples_that_run() -> None:
    for doc in (ROOT / "README.md", ROOT / "docs" / "library.md"):
        assert python_blocks(doc), doc
