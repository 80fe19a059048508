"""All-or-nothing writes that really are: rival writers, kill -9 at every phase, Windows' held files.

The promise (docs/security.md, "Writes"): a write into ``out`` leaves it as it
was or complete. A run killed while it moved files into an existing folder can
leave some moved, with no ``manifest.json`` and its journal in
``.certconv-lock``; the next run on ``out`` rolls that back, or finishes what a
run killed after its commit left, and says so in a note. ``manifest.json``,
whenever it is there, describes exactly the set that is there.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pki import Pki, issue, to_pem
from typer.testing import CliRunner

import certconv
from certconv.cli import app
from certconv.output import _atomic, _locks, _out_folder
from certconv.output._locks import host
from certconv.output._out_folder import RESERVED_PREFIX

VICTIM = Path(__file__).parent / "write_victim.py"
BIG = 2_000  # certificates in the kill -9 bundles: "a few thousand", a write of ~2,000 files
SEED = 20261201
HANG_GUARD = 300  # seconds; only so a hung helper process fails the test instead of the run

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL and fork: the kill -9 harness is POSIX")

Tree = dict[str, bytes]


# -- fixtures: two big bundles with the same file names and different bytes ----------------------


def big_bundle(root_cn: str, count: int) -> bytes:
    """One EC root signing ``count`` EC leaves: cheap to make, and every name is the same in both bundles."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    root_key = ec.generate_private_key(ec.SECP256R1())
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kill Test Root")])
    root = (
        x509.CertificateBuilder()
        .subject_name(root_name)
        .issuer_name(root_name)
        .public_key(root_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(root_key, hashes.SHA256())
    )
    pems = [root.public_bytes(serialization.Encoding.PEM)]
    leaf_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    for i in range(count - 1):
        leaf = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"leaf{i:05}.{root_cn}.example")]))
            .issuer_name(root_name)
            .public_key(leaf_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256())
        )
        pems.append(leaf.public_bytes(serialization.Encoding.PEM))
    return b"".join(pems)


@dataclass
class Big:
    a_path: Path
    b_path: Path
    a: certconv.Bundle
    b: certconv.Bundle
    old_set: Tree  # what a split of `a` writes, for the --force case


@pytest.fixture(scope="session")
def big(tmp_path_factory: pytest.TempPathFactory) -> Big:
    folder = tmp_path_factory.mktemp("big")
    # Same leaf names under both roots: a --force replacement of a by b changes every file's bytes.
    a_path, b_path = folder / "a.pem", folder / "b.pem"
    a_path.write_bytes(big_bundle("same", BIG))
    b_path.write_bytes(big_bundle("same", BIG))
    a, b = certconv.load(a_path.read_bytes()), certconv.load(b_path.read_bytes())
    certconv.write_split(a, folder / "old")
    return Big(a_path, b_path, a, b, tree(folder / "old") or {})


def tree(folder: Path) -> Tree | None:
    """What a user sees in ``folder`` (certconv's own ``.certconv-*`` bookkeeping left out); None: missing."""
    if not folder.exists():
        return None
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(RESERVED_PREFIX)}


def leftovers(out: Path) -> list[str]:
    found = [p.name for p in out.parent.iterdir() if p.name.startswith(RESERVED_PREFIX)]
    if out.is_dir():
        found += [f"{out.name}/{p.name}" for p in out.iterdir() if p.name.startswith(RESERVED_PREFIX)]
    return found


def assert_matches_manifest(out: Path, other: Tree) -> None:
    """``out`` holds exactly its manifest's set (plus ``other``, files that were there before)."""
    files = tree(out) or {}
    manifest = json.loads(files["manifest.json"])
    cers = {e["file"]: e["sha1"] for e in manifest["certificates"]}
    assert set(files) == {*cers, *manifest["documents"], "manifest.json", *other}
    for name, sha1 in cers.items():
        assert hashlib.sha1(files[name]).hexdigest().upper() == sha1.upper(), name  # noqa: S324
    assert all(files[name] == data for name, data in other.items())


# -- the three situations a write meets --------------------------------------------------------


MODES = ("new-folder", "existing-folder", "force-replace")


def prepare(mode: str, root: Path, big: Big) -> Path:
    """Put ``root`` in its before-state for ``mode``; return ``out``."""
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    (root / "neighbour.txt").write_text("beside the output folder")
    out = root / "out"
    if mode != "new-folder":
        out.mkdir()
        (out / "notes.txt").write_text("a user's file in the folder")
    if mode == "force-replace":
        for name, data in big.old_set.items():
            (out / name).write_bytes(data)
    return out


def write(mode: str, bundle: certconv.Bundle, out: Path) -> certconv.Manifest:
    return certconv.write_split(bundle, out, force=mode == "force-replace")


@dataclass
class Expected:
    before: Tree | None
    complete: Tree
    steps: list[str]  # the _phase steps of an uninterrupted write


@pytest.fixture(scope="session")
def expected(big: Big, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Expected]:
    found = {}
    for mode in MODES:
        root = tmp_path_factory.mktemp(mode)
        out = prepare(mode, root, big)
        before = tree(out)
        steps: list[str] = []
        with pytest.MonkeyPatch.context() as m:
            m.setattr(_atomic, "_phase", steps.append)
            m.setattr(os, "fsync", lambda fd: None)  # see no_fsync
            write(mode, big.b, out)
        complete = tree(out) or {}
        assert_matches_manifest(out, {} if before is None else {"notes.txt": before["notes.txt"]})
        found[mode] = Expected(before, complete, steps)
    return found


# -- kill -9 at every phase ----------------------------------------------------------------------


class Victim:
    """tests/write_victim.py, running: it forks one child per write and SIGKILLs it where asked."""

    def __init__(self, big: Big) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(VICTIM), f"a={big.a_path}", f"b={big.b_path}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.ask_line() == "ready"

    def ask_line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def write(self, out: Path, *, force: bool, kill_at: int | None = None) -> Any:
        assert self.proc.stdin is not None
        request = {"bundle": "b", "out": str(out), "force": force, "kill_at": kill_at}
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.ask_line())

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=HANG_GUARD)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def victim(big: Big) -> Iterator[Victim]:
    running = Victim(big)
    yield running
    running.close()


def kill_points(steps: list[str], rng: random.Random, rounds: int) -> list[int]:
    """The first step of every phase, the middle of the long ones, then seeded random steps (1-based)."""
    points = set()
    for phase in dict.fromkeys(steps):
        indices = [i for i, s in enumerate(steps, 1) if s == phase]
        points |= {indices[0], indices[len(indices) // 2]}
    while len(points) < rounds:
        points.add(rng.randint(1, len(steps)))
    return sorted(points)


def assert_as_before_or_complete(mode: str, out: Path, exp: Expected) -> str:
    """After a kill: as before, complete, or half-moved in a way the next run undoes. Returns which."""
    now = tree(out)
    assert (out.parent / "neighbour.txt").read_text() == "beside the output folder"
    if now == exp.before:
        return "before"
    if now == exp.complete:
        return "complete"
    # Killed while moving files into an existing folder: no manifest.json to vouch for a mix,
    # every file whole (old or new, never torn), and the journal there for the next run.
    assert mode != "new-folder" and now is not None and exp.before is not None
    assert "manifest.json" not in now
    for name, data in now.items():
        assert data in (exp.before.get(name), exp.complete.get(name)), name
    assert (out / ".certconv-lock").exists()
    return "moving"


@pytest.fixture
def no_fsync(monkeypatch: pytest.MonkeyPatch) -> None:
    """fsync guards against power loss, which these tests do not stage (a SIGKILL leaves the page
    cache intact); 2,000 fsyncs of a --force write would make each round take seconds."""
    monkeypatch.setattr(os, "fsync", lambda fd: None)


def next_run(mode: str, big: Big, out: Path) -> tuple[tuple[str, ...], str]:
    """The run after a kill, without --force: returns its notes and whether it wrote or was refused."""
    try:
        return write("existing-folder", big.b, out).notes, "wrote"
    except certconv.OutputExistsError as exc:
        return tuple(getattr(exc, "__notes__", ())), "refused"


@posix_only
@pytest.mark.usefixtures("no_fsync")
@pytest.mark.parametrize("mode", MODES)
def test_kill_9_at_any_step_leaves_the_folder_as_it_was_or_complete_and_the_next_run_recovers(
    mode: str, big: Big, expected: dict[str, Expected], victim: Victim, tmp_path: Path
) -> None:
    exp = expected[mode]
    rng = random.Random(f"{SEED}-{mode}")
    # Every kill point is a counted step (never a delay): on a busy machine a timed kill lands
    # wherever the scheduler puts it, and the test's outcome would depend on the load.
    rounds = kill_points(exp.steps, rng, 12)
    assert 12 <= len(rounds) <= 20
    seen = set()
    for kill_at in rounds:
        out = prepare(mode, tmp_path / "root", big)
        answer = victim.write(out, force=mode == "force-replace", kill_at=kill_at)
        assert answer["killed"], (kill_at, answer)
        state = assert_as_before_or_complete(mode, out, exp)
        seen.add(state)
        left = leftovers(out)

        notes, outcome = next_run(mode, big, out)

        interrupted = [n for n in notes if "interrupted certconv run" in n]
        assert bool(interrupted) == bool(left), (kill_at, left, notes)
        assert len(interrupted) <= 2 and all("\n" not in n for n in interrupted)
        assert leftovers(out) == []
        # What was left undone, the next run writes; the old set of the --force case, and a
        # complete set, it refuses to overwrite (it has no --force): as any run would.
        writes = state != "complete" and mode != "force-replace"
        assert outcome == ("wrote" if writes else "refused"), (kill_at, state, outcome)
        assert tree(out) == (exp.complete if writes or state == "complete" else exp.before)
    assert "before" in seen and "complete" in seen


@posix_only
@pytest.mark.usefixtures("no_fsync")
def test_a_recovery_killed_half_way_is_finished_by_the_run_after_it(
    big: Big, expected: dict[str, Expected], victim: Victim, tmp_path: Path
) -> None:
    exp = expected["force-replace"]
    halfway = [i for i, s in enumerate(exp.steps, 1) if s == "moved"][BIG // 2]
    out = prepare("force-replace", tmp_path / "root", big)
    assert victim.write(out, force=True, kill_at=halfway)["killed"]
    # The second run starts by undoing the first and is killed half-way through the undo
    # (its phase calls are the undo steps first: one per file of the first run's journal).
    assert victim.write(out, force=True, kill_at=BIG // 2)["killed"]
    assert assert_as_before_or_complete("force-replace", out, exp) == "moving"
    manifest = write("force-replace", big.b, out)
    assert any("undid an interrupted certconv run" in n for n in manifest.notes)
    assert tree(out) == exp.complete and leftovers(out) == []


@posix_only
@pytest.mark.usefixtures("no_fsync")
def test_a_run_killed_while_moving_in_is_rolled_back_to_exactly_the_old_folder(
    big: Big, expected: dict[str, Expected], victim: Victim, tmp_path: Path
) -> None:
    exp = expected["force-replace"]
    halfway = [i for i, s in enumerate(exp.steps, 1) if s == "moved"][BIG // 2]
    out = prepare("force-replace", tmp_path / "root", big)
    assert victim.write(out, force=True, kill_at=halfway)["killed"]
    with pytest.raises(certconv.OutputExistsError) as caught:  # the next run, without --force
        certconv.write_split(big.b, out)
    assert tree(out) == exp.before and leftovers(out) == []
    (note,) = caught.value.__notes__
    assert "undid an interrupted certconv run" in note and "the folder is as it was before it" in note


# -- two writers at once ---------------------------------------------------------------------------


class Racer:
    def __init__(self, bundle_path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(VICTIM), f"x={bundle_path}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.line() == "ready"

    def line(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=HANG_GUARD)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


@pytest.fixture(scope="module")
def racers(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Racer, Racer]]:
    folder = tmp_path_factory.mktemp("racers")
    # Two different bundles with overlapping names (manifest.json, UPLOAD.md, the root's name
    # differs): a folder holding parts of both would not match its manifest.
    paths = []
    for side in ("one", "two"):
        root = issue("Race Root", ca=True)
        leaves = [issue(f"{side}-{i}.example", root) for i in range(150)]
        path = folder / f"{side}.pem"
        path.write_bytes(to_pem([root, *leaves]))
        paths.append(path)
    pair = (Racer(paths[0]), Racer(paths[1]))
    yield pair
    for racer in pair:
        racer.close()


@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "existing-folder"])
def test_two_processes_writing_one_folder_at_once_one_wins_the_other_is_refused(
    racers: tuple[Racer, Racer], tmp_path: Path, existing: bool
) -> None:
    outcomes = set()
    for round_ in range(20):
        out = tmp_path / f"out{round_}"
        if existing:
            out.mkdir()
            (out / "notes.txt").write_text("mine")
        for racer in racers:
            racer.send(json.dumps({"race": True, "bundle": "x", "out": str(out)}))
            assert racer.line() == "set"
        for racer in racers:
            racer.send("go")
        answers = [json.loads(racer.line()) for racer in racers]
        assert sorted(a["ok"] for a in answers) == [False, True], answers
        (loser,) = [a for a in answers if not a["ok"]]
        assert loser["error"] in ("OutputExistsError", "OutputBusyError")
        outcomes.add(loser["error"])
        assert_matches_manifest(out, {"notes.txt": b"mine"} if existing else {})
        assert leftovers(out) == []


def test_threads_writing_one_folder_at_once_one_wins(pki: Pki, tmp_path: Path) -> None:
    bundles = [certconv.load(to_pem([issue("Thread Root", ca=True), issue(f"t{i}", None)])) for i in range(4)]
    for round_ in range(10):
        out = tmp_path / f"out{round_}"
        out.mkdir()
        results: list[str] = []
        barrier = threading.Barrier(len(bundles))

        def run(
            bundle: certconv.Bundle, out: Path = out, barrier: threading.Barrier = barrier, results: list[str] = results
        ) -> None:
            barrier.wait()
            try:
                certconv.write_split(bundle, out)
                results.append("ok")
            except certconv.OutputExistsError as exc:
                results.append(type(exc).__name__)

        threads = [threading.Thread(target=run, args=(b,)) for b in bundles]
        for t in threads:
            t.start()
        for t in threads:
            t.join(HANG_GUARD)
        assert results.count("ok") == 1, results
        assert_matches_manifest(out, {})


def test_a_folder_being_written_refuses_a_second_writer_naming_the_first(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    refused: list[BaseException] = []

    def second_writer(step: str) -> None:
        if step == "staged" and not refused:
            with pytest.raises(certconv.OutputBusyError) as caught:
                certconv.write_split(certconv.load(to_pem(pki.chain)), out, force=True)
            refused.append(caught.value)

    monkeypatch.setattr(_atomic, "_phase", second_writer)
    certconv.write_split(certconv.load(to_pem(pki.chain)), out)
    assert f"(pid {os.getpid()})" in str(refused[0]) and "wait for it to finish" in str(refused[0])
    assert isinstance(refused[0], certconv.OutputExistsError)
    assert_matches_manifest(out, {})


# -- Windows: a file held by another program -----------------------------------------------------


FS_OPS = ("rename", "replace", "unlink", "rmdir")


class Faults:
    """Counts os.rename/replace/unlink/rmdir and makes the k-th call fail as Windows does when a file is held."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail_at: int | None = None, *, sticky: bool = True) -> None:
        self.calls = 0
        self.fail_at = fail_at
        self.sticky = sticky
        self.held: tuple[str, tuple[object, ...]] | None = None
        self.sleeps: list[float] = []
        monkeypatch.setattr(_atomic, "_sleep", self.sleeps.append)
        for name in FS_OPS:
            monkeypatch.setattr(os, name, self.wrap(name, getattr(os, name)))

    def wrap(self, name: str, real: Callable[..., None]) -> Callable[..., None]:
        def op(*args: object, **kwargs: object) -> None:
            self.calls += 1
            if self.calls == self.fail_at:
                self.held = (name, args)
            if self.held == (name, args):  # sticky: the same file stays held through every retry
                if not self.sticky:
                    self.held = None
                exc = PermissionError(errno.EACCES, "The process cannot access the file", str(args[0]))
                exc.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
                raise exc
            real(*args, **kwargs)

        return op


@pytest.fixture(scope="module")
def small(pki: Pki) -> tuple[certconv.Bundle, certconv.Bundle]:
    """The old and the new set of the fault-injection tests (the new one adds a root)."""
    return certconv.load(to_pem(pki.chain)), certconv.load(to_pem([*pki.chain, issue("Another Root", ca=True)]))


def small_case(mode: str, root: Path, small: tuple[certconv.Bundle, certconv.Bundle]) -> Path:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir()
    out = root / "out"
    if mode != "new-folder":
        out.mkdir()
        (out / "notes.txt").write_text("a user's file")
    if mode == "force-replace":
        certconv.write_split(small[0], out)
    return out


@pytest.mark.parametrize("mode", MODES)
def test_a_file_held_by_another_program_at_any_step_leaves_the_folder_as_it_was_or_complete(
    mode: str, small: tuple[certconv.Bundle, certconv.Bundle], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = small[1]
    out = small_case(mode, tmp_path / "ref", small)
    before = tree(out)
    with monkeypatch.context() as m:
        counting = Faults(m)
        write(mode, bundle, out)
    complete, total = tree(out), counting.calls
    assert total >= 2
    for k in range(1, total + 1):
        out = small_case(mode, tmp_path / f"k{k}", small)
        with monkeypatch.context() as m:
            faults = Faults(m, fail_at=k)
            try:
                manifest = write(mode, bundle, out)
            except certconv.OutputError as exc:
                assert "another program" in str(exc) and "nothing was written" in str(exc), str(exc)
                assert tree(out) == before, k
                notes = ()
            else:
                assert tree(out) == complete, k  # a cleanup step after the commit was what failed
                notes = manifest.notes
            assert faults.sleeps == list(_atomic._RETRY_DELAYS)  # retried for about 2 s, without sleeping here
            assert 1.5 <= sum(faults.sleeps) <= 3
        if leftovers(out):  # only a failed cleanup leaves anything: it says so, and the next run removes it
            assert notes or tree(out) == before
            write("force-replace", bundle, out)
            assert leftovers(out) == [] and tree(out) == complete


@pytest.mark.parametrize("mode", MODES)
def test_a_file_held_for_a_moment_is_retried_and_the_write_completes(
    mode: str, small: tuple[certconv.Bundle, certconv.Bundle], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = small[1]
    out = small_case(mode, tmp_path / "ref", small)
    with monkeypatch.context() as m:
        counting = Faults(m)
        write(mode, bundle, out)
    complete = tree(out)
    for k in range(1, counting.calls + 1):
        out = small_case(mode, tmp_path / f"k{k}", small)
        with monkeypatch.context() as m:
            faults = Faults(m, fail_at=k, sticky=False)
            assert write(mode, bundle, out).notes == ()
        assert faults.sleeps == [_atomic._RETRY_DELAYS[0]]
        assert tree(out) == complete and leftovers(out) == []


def test_permission_errors_that_are_not_windows_sharing_are_not_retried(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(_atomic, "_sleep", sleeps.append)

    def refuse(*args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted", str(args[0]))

    monkeypatch.setattr(os, "rename", refuse)
    with pytest.raises(certconv.OutputError, match="Operation not permitted"):
        certconv.write_split(certconv.load(to_pem(pki.chain)), tmp_path / "out")
    monkeypatch.undo()
    assert sleeps == [] and list(tmp_path.iterdir()) == []


# -- what a killed run left, found by the next one (in-process emulation of the kill) ---------------


class Killed(BaseException):
    """Stands for SIGKILL inside this process: nothing of the writer's own cleanup may run."""


def die_at(monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Make the write stop dead at ``step``: its cleanup is skipped as a SIGKILL would skip it."""

    def phase(now: str) -> None:
        if now == step:
            raise Killed

    monkeypatch.setattr(_atomic, "_phase", phase)
    monkeypatch.setattr(_atomic, "_settle", lambda out, staging, **kw: (_ for _ in ()).throw(Killed))
    monkeypatch.setattr(_atomic, "_remove_tree", lambda folder: (_ for _ in ()).throw(Killed))
    real_release = _atomic._release
    monkeypatch.setattr(_atomic, "_release", lambda lock, remove: real_release(lock, remove=False))


def test_the_cli_says_in_one_line_what_it_cleaned_up(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "chain.pem"
    source.write_bytes(to_pem(pki.chain))
    out = tmp_path / "out"
    with monkeypatch.context() as m:
        die_at(m, "staged")
        with pytest.raises(Killed):
            certconv.write_split(certconv.load(source.read_bytes()), out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".certconv-staging-")]
    result = CliRunner().invoke(app, ["split", str(source), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)  # the note is on stderr; stdout stays JSON
    (note,) = result.stderr.splitlines()
    assert note.startswith(f"note: {out}: removed .certconv-staging-") and "interrupted certconv run" in note
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.pem", "out"]


def test_the_cli_shows_the_cleanup_note_before_a_refusal(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "chain.pem"
    source.write_bytes(to_pem(pki.chain))
    out = tmp_path / "out"
    certconv.split(source.read_bytes(), out)
    with monkeypatch.context() as m:
        die_at(m, "moved")
        with pytest.raises(Killed):
            certconv.write_split(certconv.load(source.read_bytes()), out, force=True)
    result = CliRunner().invoke(app, ["split", str(source), "--out", str(out)])
    assert result.exit_code == 1
    note, error = result.stderr.splitlines()
    assert note.startswith(f"note: {out}: undid an interrupted certconv run (pid {os.getpid()})")
    assert error.startswith("error: ") and "exists already" in error


def test_a_lock_left_after_the_commit_is_finished_quietly_in_one_note(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    bundle = certconv.load(to_pem(pki.chain))
    with monkeypatch.context() as m:
        die_at(m, "committed")
        with pytest.raises(Killed):
            certconv.write_split(bundle, out)
    complete = tree(out)
    manifest = certconv.write_split(bundle, out, force=True)
    assert [n.split(": ", 1)[1] for n in manifest.notes] == [
        f"finished cleaning up after an interrupted certconv run (pid {os.getpid()}), whose files were complete"
    ]
    assert tree(out) == complete and leftovers(out) == []


def test_a_staging_folder_of_another_target_is_left_alone(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundle = certconv.load(to_pem(pki.chain))
    with monkeypatch.context() as m:
        die_at(m, "staged")
        with pytest.raises(Killed):
            certconv.write_split(bundle, tmp_path / "other")
    theirs = sorted(leftovers(tmp_path / "other"))
    manifest = certconv.write_split(bundle, tmp_path / "out")
    assert manifest.notes == () and sorted(leftovers(tmp_path / "other")) == theirs
    assert certconv.write_split(bundle, tmp_path / "other").notes  # its own next run cleans it
    assert leftovers(tmp_path / "other") == []


def test_without_os_locks_a_dead_writers_pid_frees_the_folder_and_a_live_ones_does_not(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # File systems without flock (some network shares): the pid recorded in the lock file decides.
    monkeypatch.setattr(_locks, "try_os_lock", lambda fd: None)
    out = tmp_path / "out"
    out.mkdir()
    lock = out / ".certconv-lock"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    header = {"certconv": 1, "host": host(), "staging": ".certconv-staging-" + "0" * 32}
    lock.write_text(json.dumps({**header, "pid": os.getppid()}))  # alive: the process that runs pytest
    with pytest.raises(certconv.OutputBusyError, match=f"pid {os.getppid()}"):
        certconv.write_split(certconv.load(to_pem(pki.chain)), out)
    lock.write_text(json.dumps({**header, "pid": int(dead.stdout)}))
    manifest = certconv.write_split(certconv.load(to_pem(pki.chain)), out)
    assert manifest.notes == (
        f"{out}: removed the lock file of an interrupted certconv run (pid {int(dead.stdout)}); nothing else was left",
    )
    assert leftovers(out) == []


def test_a_forged_journal_cannot_make_recovery_touch_anything_outside_the_folder(pki: Pki, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    staging = out / (".certconv-staging-" + "1" * 32)
    staging.mkdir()
    (staging / ".certconv-moving").write_text(json.dumps(["../victim.txt"]))
    (out / ".certconv-lock").write_text(json.dumps({"certconv": 1, "pid": 1, "staging": staging.name}))
    with pytest.raises(certconv.UnsafeOutputError, match="journal of an interrupted certconv run is damaged"):
        certconv.write_split(certconv.load(to_pem(pki.chain)), out)
    assert victim.read_text() == "precious"
    assert (out / ".certconv-lock").exists() and staging.exists()  # kept for the user to look at
    (out / ".certconv-lock").write_text(json.dumps({"certconv": 1, "pid": 1, "staging": "../../x"}))
    certconv.write_split(certconv.load(to_pem(pki.chain)), out, force=True)
    assert victim.read_text() == "precious"


def test_names_certconv_keeps_for_itself_are_refused(pki: Pki, tmp_path: Path) -> None:
    with pytest.raises(certconv.UnsafeOutputError, match="certconv's own"):
        certconv.convert(to_pem(pki.chain[:1]), tmp_path / ".certconv-lock", to="pem")
    assert list(tmp_path.iterdir()) == []


# -- key files on platforms where a mode does not keep others out -----------------------------------


def key_pem(pki: Pki, tmp_path: Path) -> Path:
    source = tmp_path / "leaf.pem"
    source.write_bytes(
        pki.leaf.pem
        + pki.leaf.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return source


def test_a_key_file_says_0600_only_when_the_mode_read_back_is_0600(pki: Pki, tmp_path: Path) -> None:
    conversion = certconv.convert(key_pem(pki, tmp_path), tmp_path / "k.pem", to="pem", include_key=True)
    assert conversion.owner_only is True
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600
    text = certconv.render_conversion(conversion)
    assert "file mode: 0600 (holds a private key)" in text and "cannot restrict" not in text


def test_on_windows_a_key_file_is_not_called_0600_and_the_user_is_told_what_to_do(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_out_folder, "_MODES_RESTRICT", False)  # what os.name == "nt" sets
    source = key_pem(pki, tmp_path)
    result = CliRunner().invoke(
        app, ["convert", str(source), "--to", "pem", "--include-key", "--out", str(tmp_path / "k.pem")]
    )
    assert result.exit_code == 0, result.output
    assert "0600" not in result.stdout
    (note,) = [line for line in result.stdout.splitlines() if line.startswith("note: ")]
    assert "unencrypted private key" in note and "cannot restrict the file to you" in note
    assert "move it to a folder only you can read" in note


def test_where_chmod_has_no_effect_a_password_protected_key_file_says_so(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A file system that ignores modes (FAT, some network shares): files come out 0644 whatever is asked.
    real_open = os.open
    monkeypatch.setattr(os, "fchmod", lambda fd, mode: None)
    monkeypatch.setattr(os, "open", lambda path, flags, mode=0o777, **kw: real_open(path, flags, 0o644, **kw))
    conversion = certconv.convert(key_pem(pki, tmp_path), tmp_path / "k.pfx", to="pfx", new_password="pw")
    monkeypatch.undo()
    assert stat.S_IMODE((tmp_path / "k.pfx").stat().st_mode) == 0o644
    assert conversion.owner_only is False
    text = certconv.render_conversion(conversion)
    assert "file mode" not in text
    assert "protected by its password alone" in text and "keep it in a folder only you read" in text


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_new_out_folder_appears_whole_or_not_at_all(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: BaseException
) -> None:
    write_module = _atomic

    real_write_new = write_module.write_new
    calls = {"n": 0}

    def failing_write_new(path: Path, data: bytes, mode: int, *, sync: bool = True) -> None:
        calls["n"] += 1
        if calls["n"] == 3:  # two files already staged
            raise failure
        real_write_new(path, data, mode, sync=sync)

    monkeypatch.setattr(write_module, "write_new", failing_write_new)
    out = tmp_path / "parent" / "out"
    with pytest.raises((certconv.OutputError, KeyboardInterrupt)):
        certconv.split(to_pem(pki.chain), out)
    assert not (tmp_path / "parent").exists()  # the parent it created is gone too, and no staging folder
