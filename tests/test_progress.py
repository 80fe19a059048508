"""Progress of long calls: the library reports to a callback, the CLI draws it on a terminal's stderr only."""

from __future__ import annotations

from pathlib import Path

import pytest
from pki import issue, make_chain, make_key, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv import Progress, ProgressStage
from certconv.cli import _io, app


@pytest.fixture(scope="module")
def many() -> bytes:
    """A root, a CA and 600 leaves: more than two reports' worth of each stage."""
    root = issue("Progress Root", ca=True)
    ca = issue("Progress CA", root, ca=True)
    key = make_key()
    return to_pem([root, ca, *(issue(f"p{i}.example", ca, key=key) for i in range(600))])


def test_load_reports_each_stage_from_zero_to_its_total(many: bytes) -> None:
    events: list[Progress] = []
    with certconv.report_progress(events.append):
        certconv.load(many)
    stages = list(dict.fromkeys(e.stage for e in events))
    assert stages[:3] == [ProgressStage.READING, ProgressStage.CLASSIFYING, ProgressStage.CHAINING]
    for stage in stages:
        done = [e.done for e in events if e.stage is stage]
        assert done == sorted(done) and done[0] == 0
    chaining = [e for e in events if e.stage is ProgressStage.CHAINING]
    assert chaining[-1].done == chaining[-1].total == 602
    assert len(chaining) == 4  # start, 250, 500, end: reports are spaced, not one per certificate


def test_split_each_reports_every_input(tmp_path: Path) -> None:
    pki = make_chain()
    files = []
    for i in range(3):
        files.append(tmp_path / f"b{i}.pfx")
        files[-1].write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
    events: list[Progress] = []
    with certconv.report_progress(events.append):
        certconv.split_each(files, tmp_path / "out", password="changeit")
    inputs = [(e.done, e.total) for e in events if e.stage is ProgressStage.INPUTS]
    assert inputs == [(0, 3), (1, 3), (2, 3), (3, 3), (3, 3)]


def test_nothing_is_reported_outside_report_progress(many: bytes) -> None:
    events: list[Progress] = []
    with certconv.report_progress(events.append):
        pass
    certconv.load(many)
    assert events == []


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stderr stands in for a terminal, and the line is drawn at once (not after two seconds)."""
    monkeypatch.setattr(_io, "_stderr_is_terminal", lambda: True)
    monkeypatch.setattr(_io._ProgressLine, "AFTER", 0.0)
    monkeypatch.setattr(_io._ProgressLine, "EVERY", 0.0)


@pytest.mark.parametrize("command", ["split", "inspect", "verify"])
def test_a_terminal_sees_a_progress_line_that_clears_itself(
    many: bytes, tmp_path: Path, terminal: None, command: str
) -> None:
    source = tmp_path / "many.pem"
    source.write_bytes(many)
    extra = ["--out", str(tmp_path / "out")] if command == "split" else []
    result = CliRunner().invoke(app, [command, str(source), *extra])
    assert result.exit_code == 0, result.output
    assert "\rcertconv: chaining 250/602" in result.stderr
    assert result.stderr.endswith("\r") and result.stderr.rsplit("\r", 2)[-2].strip() == ""  # cleared
    assert "\r" not in result.stdout


@pytest.mark.parametrize("flags", [["-q"], ["--json"]])
def test_quiet_and_json_runs_draw_no_progress(many: bytes, tmp_path: Path, terminal: None, flags: list[str]) -> None:
    source = tmp_path / "many.pem"
    source.write_bytes(many)
    result = CliRunner().invoke(app, ["split", str(source), "--out", str(tmp_path / "out"), *flags])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr


def test_a_pipe_gets_no_progress_line(many: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_io._ProgressLine, "AFTER", 0.0)
    source = tmp_path / "many.pem"
    source.write_bytes(many)
    result = CliRunner().invoke(app, ["verify", str(source)])  # CliRunner's stderr is no terminal
    assert result.exit_code == 0, result.output
    assert "\r" not in result.stderr


def test_split_each_shows_the_input_count_beside_the_stage(tmp_path: Path, terminal: None) -> None:
    pki = make_chain()
    names = []
    for i in range(2):
        path = tmp_path / f"b{i}.pfx"
        path.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root]))
        names.append(str(path))
    result = CliRunner().invoke(
        app, ["split", "--each", *names, "--out", str(tmp_path / "o"), "--password-env", "PW"], env={"PW": "changeit"}
    )
    assert result.exit_code == 0, result.output
    assert "\rcertconv: inputs 2/2, chaining 0/3" in result.stderr
