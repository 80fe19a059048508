"""Warnings say each thing once and stay one line (issue 19, "also seen").

A keystore holding one certificate 100,000 times printed 100,006 lines and wrote a
16 MB manifest; one AIA warning line was 35 KB.
"""

from __future__ import annotations

import json
from pathlib import Path

from pki import issue, make_chain, to_pem
from typer.testing import CliRunner

import certconv
from certconv.cli import app


def test_a_repeated_warning_is_one_line_with_a_count_in_the_output_and_the_manifest(tmp_path: Path) -> None:
    pki = make_chain()
    data = to_pem([pki.root, *[pki.intermediate] * 1_000, pki.leaf])
    (tmp_path / "many.pem").write_bytes(data)
    done = CliRunner().invoke(app, ["split", str(tmp_path / "many.pem"), "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    duplicates = [line for line in done.output.splitlines() if "duplicate:" in line]
    assert len(duplicates) == 1 and duplicates[0].endswith("(999 times)"), duplicates
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    (warning,) = [w for w in manifest["warnings"] if w["code"] == "duplicate"]
    assert warning["count"] == 999 and warning["sha1"] == certconv.load(pki.intermediate.pem).certificates[0].sha1


def test_many_different_warnings_of_one_code_are_capped_with_one_that_counts_the_rest() -> None:
    pki = make_chain()
    others = [issue(f"copy {i}", pki.root) for i in range(300)]
    bundle = certconv.load(to_pem([pki.root, *others, *others]))
    duplicates = [w for w in bundle.warnings if w.code == "duplicate"]
    assert len(duplicates) == 201  # 200 listed, then one that counts the other 100
    assert duplicates[-1].count == 100 and duplicates[-1].sha1 is None
    assert "100 more `duplicate` warnings" in duplicates[-1].message
    assert sum(w.count for w in duplicates) == 300
    # A bundle made again from these warnings keeps them as they are.
    again = certconv.Bundle(bundle.certificates, bundle.chains, bundle.warnings, bundle.inputs, bundle.formats)
    assert again.warnings == bundle.warnings


def test_a_long_warning_is_cut_with_an_ellipsis() -> None:
    # 400 URLs certconv cannot follow made one 36 KB `aia-unsupported-url` line.
    urls = [f"ldap://directory-{i}.backend.example/cn=Issuing%20CA%20{i},o=Backend?cACertificate" for i in range(400)]
    leaf = issue("backend.example", issue("Hidden CA", ca=True), aia_ca_issuers=urls)
    bundle = certconv.load(leaf.der, complete=True, timeout=5)
    (warning,) = [w for w in bundle.warnings if w.code == "aia-unsupported-url"]
    assert len(warning.message) == 500 and warning.message.endswith("…")
    assert warning.message.startswith(f"the AIA URL {urls[0]}, {urls[1]}")
