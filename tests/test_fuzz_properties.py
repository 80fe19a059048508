"""Property-based fuzzing: mutations of real inputs, for every loader; only CertconvError may escape.

Seeds are the samples and files generated from tests/pki.py in every format certconv
reads. Hypothesis applies byte-level mutations (bit flips, cuts, insertions,
duplications, splices of two seeds) and feeds the result to ``certconv.load``
and, when it loads, to ``certconv.split``. The coverage-guided counterpart is
tests/fuzz/ (atheris); its crashers are replayed here as regression tests.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import quirkcerts
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from keystores import KeyEntry, Secret, Trusted, to_keystore
from pki import make_chain, serialize, to_p7b, to_pem, to_pfx

import certconv
from certconv.pki import _der
from certconv.readers import _jks, _read, _tolerant

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "fuzz"))
import entry_points  # noqa: E402 - tests/fuzz/entry_points.py: the command targets and their contract

SAMPLES = HERE.parent / "samples"
REGRESSIONS = HERE / "fuzz" / "regressions"
PASSWORD = "changeit"  # the samples' password; generated PFX files below use it too


def _seeds() -> dict[str, bytes]:
    pki = make_chain("Prop")
    csr = (
        x509.CertificateSigningRequestBuilder().subject_name(pki.leaf.cert.subject).sign(pki.leaf.key, hashes.SHA256())  # type: ignore[arg-type]
    )
    seeds = {f"sample-{p.name}": p.read_bytes() for p in sorted(SAMPLES.iterdir()) if p.suffix != ".sh"}
    seeds.update(
        {
            "pem": serialize(pki, "pem"),
            "der": pki.leaf.der,
            "p7b-der": to_p7b(pki.chain),
            "p7b-pem": to_p7b(pki.chain, pem=True),
            "pfx": to_pfx(pki.leaf, [pki.intermediate, pki.root], password=PASSWORD.encode()),
            "pfx-legacy": to_pfx(pki.leaf, [pki.root], password=PASSWORD.encode(), legacy=True),
            "pfx-nopass": to_pfx(pki.leaf, [pki.root], password=None),
            "pfx-certs-only": to_pfx(None, [pki.intermediate, pki.root], password=PASSWORD.encode()),
            "csr": csr.public_bytes(serialization.Encoding.DER),
            "base64-der": pki.root.pem.split(b"-----")[2],
        }
    )
    # Certificates only the tolerant path reads (tests/quirkcerts.py), back to back too.
    quirky = {f"quirk-{q}": quirkcerts.make(quirkcerts.key_for(q), quirk=q) for q in quirkcerts.QUIRKS}
    seeds.update(quirky)
    seeds["quirks-concatenated"] = b"".join(quirky.values())
    # Keystores (tests/keystores.py); JCEKS keys with 16 rounds, so each example stays cheap.
    trusted = [Trusted("root", pki.root.der), Trusted("intermediate", pki.intermediate.der)]
    key = KeyEntry("backend", pki.leaf, [pki.leaf.der, pki.intermediate.der], iterations=16)
    seeds.update(
        {
            "jks": to_keystore([*trusted, key], PASSWORD),
            "jks-v1": to_keystore([key, *trusted], PASSWORD, version=1),
            "jceks": to_keystore([*trusted, key], PASSWORD, kind="JCEKS"),
            "jceks-secret": to_keystore([Secret("secret"), trusted[0], key], PASSWORD, kind="JCEKS"),
        }
    )
    return seeds


SEEDS = _seeds()
LOADERS = sorted(SEEDS)


@st.composite
def mutated(draw: st.DrawFn, names: list[str]) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(names))])
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(["flip", "set", "cut", "delete", "insert", "duplicate", "splice"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "set":
            data[at] = draw(st.sampled_from([0x00, 0x80, 0xFF, 0x30, 0x7F, 0x84, 0x2D]))
        elif kind == "cut":
            del data[at:]
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 256))]
        else:
            other = SEEDS[draw(st.sampled_from(LOADERS))]
            data[at:] = other[draw(st.integers(0, len(other) - 1)) :]
    return bytes(data)


def only_certconv_errors(data: bytes, password: str | None, out: Path | None = None) -> None:
    try:
        bundle = certconv.load(data, password=password)
    except certconv.CertconvError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    if out is not None:
        shutil.rmtree(out, ignore_errors=True)
        manifest = certconv.write_split(bundle, out)
        assert {p.parent for p in out.iterdir()} == {out} and len(manifest.files) == len(bundle.certificates)


FUZZ_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.mark.parametrize(
    "group",
    [
        ["pem", "sample-fullchain.pem", "p7b-pem"],
        ["der", "sample-leaf.cer", "csr", "base64-der"],
        ["p7b-der", "sample-bundle.p7b", "sample-bundle-pem.p7b"],
        ["pfx", "pfx-legacy", "pfx-nopass", "pfx-certs-only", "sample-bundle.pfx", "sample-bundle-legacy.pfx"],
        ["jks", "jks-v1", "jceks", "jceks-secret"],
    ],
    ids=["pem", "der", "pkcs7", "pkcs12", "jks"],
)
@FUZZ_SETTINGS
@given(data=st.data())
def test_mutated_inputs_raise_only_certconv_errors(group: list[str], data: st.DataObject) -> None:
    blob = data.draw(mutated(group))
    password = data.draw(st.sampled_from([None, PASSWORD, "wrong"]))
    only_certconv_errors(blob, password)


@FUZZ_SETTINGS
@given(blob=mutated(LOADERS))
def test_mutated_inputs_that_load_split_inside_out(tmp_path: Path, blob: bytes) -> None:
    only_certconv_errors(blob, PASSWORD, tmp_path / "out")


@settings(max_examples=200, deadline=None)
@given(blob=st.binary(max_size=512))
def test_arbitrary_bytes_raise_only_certconv_errors(blob: bytes) -> None:
    only_certconv_errors(blob, None)


@settings(max_examples=200, deadline=None)
@given(
    blob=st.lists(
        st.sampled_from(
            [b"\x30\x80", b"\x00\x00", b"\x02\x01\x03", b"\xa0\x80", b"\x04\x80", b"\x24\x80", b"\x30\x03"]
        ),
        max_size=200,
    ).map(b"".join)
)
def test_ber_soup_raises_only_certconv_errors(blob: bytes) -> None:
    # Indefinite lengths, constructed OCTET STRINGs and PKCS#12 version markers in any order.
    only_certconv_errors(blob, PASSWORD)


@settings(max_examples=200, deadline=None)
@given(
    soup=st.lists(
        st.sampled_from(
            [
                b"\x73",
                b"\x72",
                b"\x71\x00\x7e\x00\x00",
                b"\x70",
                b"\x78",
                b"\x75",
                b"\x74\x00\x02[B",
                b"\x77\x01x",
                b"\x00\x01",
                b"\x02",
                b"\x0c",
                b"\x00\x00\x00\x05",
                b"[",
                b"L",
                b"\x7e",
                b"\x7c",
                b"\xff\xff\xff\xff",
            ]
        ),
        max_size=120,
    ).map(b"".join)
)
def test_java_serialization_soup_in_a_secret_entry_raises_only_certconv_errors(soup: bytes) -> None:
    # The secret-key skipper meets every element kind, back-references and lengths in any order.
    entries = [Secret("s", b"\xac\xed\x00\x05" + soup), Trusted("leaf", SEEDS["der"])]
    only_certconv_errors(to_keystore(entries, PASSWORD, kind="JCEKS"), PASSWORD)


LOADER_TARGETS = ("pem", "der", "pkcs7", "pkcs12", "jks", "load", "tolerant")


@pytest.mark.parametrize(
    "path", sorted(p for p in REGRESSIONS.iterdir() if p.name.split("-")[0] in LOADER_TARGETS), ids=lambda p: p.name
)
def test_fuzz_crashers_stay_fixed(path: Path) -> None:
    """Every input atheris found crashing certconv, through the loader it crashed and ``load``."""
    data = path.read_bytes()
    target = path.name.split("-")[0]
    reader = _read._Reader(path.name, PASSWORD.encode())
    direct = {
        "pem": reader.pem,
        "der": reader.certificate,
        "pkcs7": reader.pkcs7,
        "pkcs12": reader.pkcs12,
        "jks": lambda d: _jks.read(reader, d),
        "load": lambda d: certconv.load(d, password=PASSWORD),
        "tolerant": reader.certificate,
    }[target]
    with contextlib.suppress(certconv.CertconvError):  # some crashers are valid inputs: loading them is fine
        direct(data)
    only_certconv_errors(data, PASSWORD)


QUIRKY = sorted(name for name in SEEDS if name.startswith("quirk"))


@FUZZ_SETTINGS
@given(data=mutated(QUIRKY))
def test_mutated_quirky_certificates_raise_only_certconv_errors(data: bytes) -> None:
    # The re-encoder walks every field the quirks live in: any damage there is a DerError or a copy.
    with contextlib.suppress(_der.DerError):
        _tolerant.normalise(data)
    _tolerant.subject_hint(data)
    only_certconv_errors(data, None)


def test_every_regression_names_its_target() -> None:
    targets = {p.name.split("-")[0] for p in REGRESSIONS.iterdir()}
    assert targets <= {*LOADER_TARGETS, *entry_points.TARGETS}, targets


@pytest.mark.parametrize(
    "path",
    sorted(p for p in REGRESSIONS.iterdir() if p.name.split("-")[0] in entry_points.TARGETS),
    ids=lambda p: p.name,
)
def test_command_fuzz_findings_stay_fixed(path: Path) -> None:
    """Every input fuzz_commands.py found, through the command target that found it, under its contract.

    The target raises ContractError (or the foreign exception, or the warning) when the
    finding is back; warnings are errors here as in the harness (pytest's filterwarnings).
    """
    entry_points.TARGETS[path.name.split("-")[0]](path.read_bytes())


def test_atheris_harness_smoke(tmp_path: Path) -> None:
    """The coverage-guided harness runs (200 inputs; the long runs are tests/fuzz/run.sh)."""
    pytest.importorskip("atheris", reason="atheris is the optional 'fuzz' extra")
    corpus = tmp_path / "corpus"  # libFuzzer adds what it finds to the first corpus folder: never the seeds
    shutil.copytree(HERE / "fuzz" / "corpus" / "load", corpus)
    result = subprocess.run(
        [sys.executable, str(HERE / "fuzz" / "fuzz_loader.py"), "load", "-runs=200", "-seed=1", str(corpus)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Done 200 runs" in result.stderr


@pytest.mark.parametrize("target", sorted(entry_points.TARGETS))
def test_atheris_command_harness_smoke(tmp_path: Path, target: str) -> None:
    """Each command target runs under atheris (300 inputs; the long runs are tests/fuzz/run.sh)."""
    pytest.importorskip("atheris", reason="atheris is the optional 'fuzz' extra")
    corpus = tmp_path / "corpus"
    shutil.copytree(HERE / "fuzz" / "corpus" / target, corpus)
    result = subprocess.run(
        [sys.executable, str(HERE / "fuzz" / "fuzz_commands.py"), target, "-runs=300", "-seed=1", str(corpus)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Done 300 runs" in result.stderr


def test_seed_corpus_covers_every_target_and_loads() -> None:
    corpus = HERE / "fuzz" / "corpus"
    assert {p.name for p in corpus.iterdir()} == {*LOADER_TARGETS, *entry_points.TARGETS}
    for seed in [*(corpus / "pkcs12").iterdir(), *(corpus / "jks").iterdir()]:
        assert certconv.load(seed, password=PASSWORD).certificates, seed.name
    for seed in (corpus / "pkcs7").iterdir():
        assert certconv.load(seed).certificates, seed.name
    assert certconv.load(to_pem(make_chain("Seed").chain)).certificates
    # The command seeds hold the harness's fixed chain: as input and as --ca it verifies, so mutations start from OK.
    served = (corpus / "verify" / "served.pem").read_bytes()
    root = (corpus / "verify" / "root.cer").read_bytes()
    assert served == entry_points.SERVED and root == entry_points.ROOT_DER
    ep = entry_points
    assert certconv.verify(served, ca=[root], host=ep.HOST, at=ep.AT, password=PASSWORD).ok


@pytest.mark.parametrize(
    ("name", "as_ca", "culprit"),
    [
        ("verify-openssl-error-1.der", True, "..\\/CON\\u202e\\x07 \\x00-."),  # an uploaded CA certificate (escaped)
        ("verify-openssl-error-2.pem", False, "certconv fuzz intermediate"),  # an intermediate the backend sends
        ("verify-openssl-error-3.pem", False, entry_points.HOST),  # the backend's own certificate
    ],
)
def test_certificate_openssl_cannot_read_gets_a_verdict_without_openssl(name: str, as_ca: bool, culprit: str) -> None:
    """cryptography reads these, OpenSSL's parser refuses them. verify no longer hands certificates to OpenSSL
    (issue 12): it answers, and the answer names no certificate with a control character unescaped."""
    data = (REGRESSIONS / name).read_bytes()
    ep = entry_points
    inputs, ca = (ep.SERVED, [data]) if as_ca else (data, [])
    try:
        result = certconv.verify(inputs, ca=ca, host=ep.HOST, at=ep.AT)
    except certconv.CertconvError as exc:  # a clear one-line error is an answer too
        assert "\n" not in str(exc)
        return
    text = result.render()
    ep.check_text(text, name)
    ep.check_json(result.to_json(), name)
    assert not result.ok  # a mangled copy of the fixed chain chains to nothing uploaded
    assert culprit  # the certificate OpenSSL refused: still in the corpus for the fuzzers


def test_a_newline_in_a_san_forges_no_line_of_inspect_or_verify() -> None:
    """The harness allows newlines between lines; this one is inside a SAN and must not start a line."""
    data = (REGRESSIONS / "verify-control-characters-1.pem").read_bytes()
    ep = entry_points
    texts = [
        certconv.inspect(data, at=ep.AT).render(full=True),
        certconv.verify(data, ca=[ep.ROOT_DER], host=ep.HOST, at=ep.AT).render(),
    ]
    for text in texts:
        assert "trusted.example" in text  # the SAN is shown ...
        assert not any(line.lstrip().startswith("OK    trusted") for line in text.splitlines())  # ... on its line
    assert "\\u009b2Jc1\\u0085.example" in certconv.inspect(data, at=ep.AT).to_json()  # C1 escaped in JSON
