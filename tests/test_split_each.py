"""split --each: many bundles in one run, each all-or-nothing into its own folder."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from pki import Pki, make_chain, to_pem, to_pfx
from typer.testing import CliRunner

import certconv
from certconv.cli import app

runner = CliRunner()


def pfx_files(tmp_path: Path, count: int, *, password: bytes = b"changeit") -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    paths = []
    for index in range(count):
        chain = make_chain(f"Batch{index}", leaf_name=f"api{index}.backend.example")
        path = folder / f"backend-{index}.pfx"
        path.write_bytes(to_pfx(chain.leaf, [chain.intermediate, chain.root], password=password))
        paths.append(path)
    return paths


def test_each_input_gets_the_folder_a_single_split_writes(tmp_path: Path) -> None:
    inputs = pfx_files(tmp_path, 3)
    password = tmp_path / "pw.txt"
    password.write_text("changeit\n")
    result = runner.invoke(
        app, ["split", "--each", *map(str, inputs), "--out", str(tmp_path / "out"), "--password-file", str(password)]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["OK", "OK", "OK"]
    assert lines[-1] == f"3 of 3 inputs written to {tmp_path / 'out'}"
    for index, source in enumerate(inputs):
        folder = tmp_path / "out" / f"backend-{index}"
        single = tmp_path / f"single-{index}"
        certconv.split(source, single, password="changeit")
        assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in single.iterdir())
        for name in ("UPLOAD.md", f"leaf-api{index}.backend.example.cer"):
            assert (folder / name).read_bytes() == (single / name).read_bytes()
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["inputs"] == [str(source)]


def test_a_failed_input_is_reported_and_the_others_are_written(tmp_path: Path) -> None:
    good = pfx_files(tmp_path, 2)
    broken = tmp_path / "in" / "broken.pfx"
    broken.write_bytes(b"\x30\x82garbage")
    other_password = tmp_path / "in" / "other.pfx"
    chain = make_chain("Other")
    other_password.write_bytes(to_pfx(chain.leaf, [chain.root], password=b"different"))
    inputs = [good[0], broken, other_password, good[1]]
    result = runner.invoke(
        app, ["split", "--each", *map(str, inputs), "--out", str(tmp_path / "out"), "--password", "changeit"]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[:4]] == ["OK", "FAIL", "FAIL", "OK"]
    assert "wrong password" in lines[2]
    assert lines[-1].startswith("2 of 4 inputs written")
    out = tmp_path / "out"
    assert (out / "backend-0" / "manifest.json").is_file() and (out / "backend-1" / "manifest.json").is_file()
    # All or nothing per input: nothing at all for the failed ones.
    assert not (out / "broken").exists() and not (out / "other").exists()


def test_clashing_names_get_numbered_folders(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "Backend.pem", tmp_path / "b" / "backend.cer"
    first.write_bytes(pki.leaf.pem)
    second.write_bytes(pki.root.der)
    results = certconv.split_each([first, second], tmp_path / "out")
    assert [r.out.name for r in results] == ["Backend", "backend-2"]
    assert all(r.ok for r in results)
    assert results[0].roles == ("leaf",) and results[1].roles == ("root",)
    assert "manifest.json" in results[0].files and "UPLOAD.md" in results[0].files


def test_folder_names_are_safe(pki: Pki, tmp_path: Path) -> None:
    names = ["../../etc/passwd.pfx", "C:\\x\\y.pfx", "a b*.p12", ".pfx"]
    results = certconv.split_each([certconv.Source(n, to_pem(pki.chain)) for n in names], tmp_path / "out")
    assert [r.out.name for r in results] == ["passwd", "C_x_y", "a_bwildcard", "pfx"]
    assert all(r.error is None and r.out.parent == tmp_path / "out" for r in results)


def test_library_form_returns_errors_as_values(tmp_path: Path) -> None:
    good = pfx_files(tmp_path, 1)[0]
    results = certconv.split_each([good, b"not a bundle"], tmp_path / "out", password="changeit")
    assert results[0].ok and not results[1].ok
    assert isinstance(results[1].error, certconv.CertconvError)
    # Options are checked once, before anything is read.
    with pytest.raises(certconv.UsageError):
        certconv.split_each([good], tmp_path / "out2", target="nowhere")
    assert not (tmp_path / "out2").exists()


def test_each_json_lists_every_input(tmp_path: Path) -> None:
    good = pfx_files(tmp_path, 1)[0]
    bad = tmp_path / "bad.pem"
    bad.write_text("nothing here")
    result = runner.invoke(
        app, ["split", "--each", str(good), str(bad), "--out", str(tmp_path / "o"), "--password", "changeit", "--json"]
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["schema"], document["tool"]) == (1, f"certconv {certconv.__version__}")
    assert document["ok"] is False and document["out"] == str(tmp_path / "o")
    assert [d["ok"] for d in document["results"]] == [True, False]
    assert document["results"][1]["error"]


def test_a_symlink_planted_at_an_input_folder_is_refused_never_followed(pki: Pki, tmp_path: Path) -> None:
    # Issue 19.4: OUT/<input name> pointing elsewhere was followed, and with --force what it pointed at
    # was overwritten. Now it is refused for that input; the other inputs are still written.
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "manifest.json").write_text("precious")
    out = tmp_path / "out"
    out.mkdir()
    (out / "backend").symlink_to(victim)
    (tmp_path / "backend.pem").write_bytes(pki.leaf.pem)
    (tmp_path / "other.pem").write_bytes(pki.leaf.pem)
    inputs = [str(tmp_path / "backend.pem"), str(tmp_path / "other.pem")]
    result = runner.invoke(app, ["split", "--each", *inputs, "--out", str(out), "--force"])
    assert result.exit_code == 1
    fail = result.stdout.splitlines()[0]
    assert fail.startswith("FAIL") and "backend.pem" in fail and "symbolic link" in fail and "--out" in fail
    assert [p.name for p in victim.iterdir()] == ["manifest.json"]
    assert (victim / "manifest.json").read_text() == "precious"
    assert (out / "other" / "manifest.json").is_file()


# Microsoft, "Naming Files, Paths, and Namespaces": reserved whatever extension follows.
DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {f"{p}{n}" for p in ("COM", "LPT") for n in range(10)}


@pytest.mark.parametrize("stem", ["CON", "nul", "AUX", "COM1", "COM¹", "LPT¹", "prn.tar", "CONIN$", "con ", "Lpt9"])
def test_windows_device_names_never_become_folder_names(pki: Pki, tmp_path: Path, stem: str) -> None:
    # Issue 19.8: Windows opens the device for CON, nul.txt, prn.tar…, and NFKC makes COM¹ COM1.
    path = tmp_path / "in" / f"{stem}.pem"
    path.parent.mkdir()
    path.write_bytes(pki.leaf.pem)
    (result,) = certconv.split_each([path], tmp_path / "out")
    assert result.ok
    folder = unicodedata.normalize("NFKC", result.out.name)
    assert folder.partition(".")[0].rstrip(" ").upper() not in DEVICES, folder
    assert (tmp_path / "out" / result.out.name / "manifest.json").is_file()
