"""Hostile and broken input: every one ends in a specific CertconvError, quickly; nothing escapes ``--out``.

The crafted PKCS#12 files are made by editing the ASN.1 of real ones with the small
DER codec below (independent of certconv's own ``_der``), so each test states
exactly which field it changes. Work is bounded by counting it (``work.counted``:
lines of Python run, key derivations started, signature checks, search steps,
bytes decoded), never by a clock: the machine is shared, and "refused before any
key derivation" is a count of zero however slow it runs.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import stat
import traceback
import warnings
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC
from cryptography.x509.oid import NameOID
from pki import Issued, Pki, issue, make_key, to_p7b, to_pem, to_pfx
from typer.testing import CliRunner
from work import Work, counted

import certconv
from certconv.base import _limits
from certconv.cli import app
from certconv.output import _atomic
from certconv.output._manifest import MANIFEST_NAME
from certconv.readers import _pkcs12, _pkcs12_open, _read

SAMPLES = Path(__file__).parent.parent / "samples"
SAMPLE_PASSWORD = (SAMPLES / "password.txt").read_text().strip()
REFUSE_LINES = 50_000
"""Lines of Python one refusal may run. Loading a real PFX with a wrong password runs about
24,000; each bound these tests guard (nesting depth, header count, OID length, PEM block
count, certificate count) lets a crafted input run hundreds of thousands to millions."""

SAMPLE_ITERATIONS = 100_000
"""Key-derivation iterations a load of the files here may attempt: theirs ask 2,048 or 20,000
per derivation, a few derivations each; the crafted counts the bounds refuse are 10 million
and more."""


def refused(
    data: bytes, error: type[certconv.CertconvError], *, password: str | None = None, derives: bool = False
) -> str:
    """Load ``data`` and return the message of the ``error`` it must raise, within the work bounds.

    ``derives``: telling this error needs the password tried (wrong password, damage found
    after decrypting), with the file's own small counts; otherwise no derivation may start.
    """
    with counted(iterations_of=iterations_of) as work, pytest.raises(error) as caught:
        certconv.load(data, password=password)
    assert type(caught.value) is error, f"{type(caught.value).__name__}: {caught.value}"
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    assert_small(work, derives=derives)
    return message


def assert_small(work: Work, *, derives: bool = True) -> None:
    assert work.lines <= REFUSE_LINES, f"{work.lines:,} lines of Python run"
    if derives:
        assert work.iterations <= SAMPLE_ITERATIONS, work.derivations
    else:
        assert work.derivations == [], "refused only after a key derivation started"


def iterations_of(data: bytes) -> int | None:
    """Iteration counts a PFX asks for in all (MAC, encrypted data, shrouded keys), by this file's codec."""
    try:
        fields = iteration_fields(parse(data)[0])
    except (AssertionError, IndexError, KeyError):  # not a PFX this codec can follow
        return None
    return sum(int.from_bytes(n.value, "big") for nodes in fields.values() for n in nodes)


# -- a tiny DER codec, to edit real files ----------------------------------------------


@dataclass
class Node:
    """One DER element; ``inner`` is the element an OCTET STRING wraps (PKCS#12 nests them)."""

    tag: int
    value: bytes = b""
    children: list[Node] = field(default_factory=list)
    inner: Node | None = None

    @property
    def constructed(self) -> bool:
        return bool(self.tag & 0x20)


def _header(data: bytes, pos: int) -> tuple[int, int, int]:
    tag, first = data[pos], data[pos + 1]
    pos += 2
    if first < 0x80:
        return tag, first, pos
    count = first & 0x7F
    return tag, int.from_bytes(data[pos : pos + count], "big"), pos + count


def parse(data: bytes, pos: int = 0) -> tuple[Node, int]:
    tag, length, start = _header(data, pos)
    end = start + length
    assert end <= len(data), "not DER"
    value = data[start:end]
    node = Node(tag)
    if node.constructed:
        at = start
        while at < end:
            child, at = parse(data, at)
            node.children.append(child)
    else:
        node.value = value
        if tag == 0x04 and len(value) > 2 and value[0] == 0x30:
            try:
                inner, used = parse(value)
            except (AssertionError, IndexError):
                inner, used = None, 0
            if inner is not None and used == len(value):
                node.inner = inner
    return node, end


def encode(node: Node) -> bytes:
    if node.constructed:
        body = b"".join(encode(c) for c in node.children)
    else:
        body = encode(node.inner) if node.inner is not None else node.value
    return bytes([node.tag]) + encode_length(len(body)) + body


def encode_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def integer(n: int) -> Node:
    return Node(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def oid(dotted: str) -> Node:
    arcs = [int(a) for a in dotted.split(".")]
    out = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(reversed(chunk))
    return Node(0x06, bytes(out))


def seq(*children: Node) -> Node:
    return Node(0x30, children=list(children))


PBKDF2 = oid("1.2.840.113549.1.5.12").value
PBES2 = oid("1.2.840.113549.1.5.13").value
PKCS12_PBE_PREFIX = oid("1.2.840.113549.1.12.1.3").value[:-1]  # pbeWithSHAAnd...
SHROUDED_KEY_BAG = oid("1.2.840.113549.1.12.10.1.2").value
ENCRYPTED_DATA = oid("1.2.840.113549.1.7.6").value


def iteration_fields(pfx: Node) -> dict[str, list[Node]]:
    """The INTEGER nodes holding iteration counts, by where they are: mac, encrypted-data, shrouded-key."""
    found: dict[str, list[Node]] = {"mac": [pfx.children[2].children[2]], "encrypted-data": [], "shrouded-key": []}

    def walk(node: Node, where: str) -> None:
        if node.children and node.children[0].tag == 0x06:
            first = node.children[0].value
            if first == SHROUDED_KEY_BAG:
                where = "shrouded-key"
            elif first == ENCRYPTED_DATA:
                where = "encrypted-data"
            elif first == PBKDF2 or first[:-1] == PKCS12_PBE_PREFIX:
                found[where].append(node.children[1].children[1])
        for child in node.children:
            walk(child, where)
        if node.inner is not None:
            walk(node.inner, where)

    walk(pfx.children[1], "")
    return found


def with_iterations(data: bytes, **counts: int) -> bytes:
    """``data`` (a DER PFX) with the iteration counts named (mac=, encrypted_data=, shrouded_key=) replaced."""
    pfx, _ = parse(data)
    fields = iteration_fields(pfx)
    for where, count in counts.items():
        nodes = fields[where.replace("_", "-")]
        assert nodes, f"no {where} iteration count in this file"
        for node in nodes:
            node.value = integer(count).value
    return encode(pfx)


@pytest.fixture(scope="module")
def sample_pfx() -> bytes:
    return (SAMPLES / "bundle.pfx").read_bytes()


# -- PKCS#12 work bounds ------------------------------------------------------------------


def test_the_codec_finds_every_iteration_count_of_a_real_pfx(sample_pfx: bytes) -> None:
    # The sample is OpenSSL 3's default: MAC, PBES2 certificates and PBES2 key, 2048 rounds each.
    fields = iteration_fields(parse(sample_pfx)[0])
    assert {k: [int.from_bytes(n.value, "big") for n in v] for k, v in fields.items()} == {
        "mac": [2048],
        "encrypted-data": [2048],
        "shrouded-key": [2048],
    }
    assert encode(parse(sample_pfx)[0]) == sample_pfx


@pytest.mark.parametrize("where", ["mac", "encrypted_data", "shrouded_key"])
@pytest.mark.parametrize("count", [10_000_001, 2**31 - 1, 10**12, 2**64 + 1])
def test_huge_iteration_count_is_refused_before_any_derivation(sample_pfx: bytes, where: str, count: int) -> None:
    crafted = with_iterations(sample_pfx, **{where: count})
    message = refused(crafted, certconv.UnsafeInputError, password=SAMPLE_PASSWORD)
    assert f"{count:,}" in message and "10,000,000" in message


def test_iteration_count_of_hundreds_of_bytes_is_refused(sample_pfx: bytes) -> None:
    crafted = with_iterations(sample_pfx, mac=1 << 4000)
    assert "over 2**127" in refused(crafted, certconv.UnsafeInputError, password=SAMPLE_PASSWORD)


def test_legacy_pbes1_iteration_counts_are_bounded_too() -> None:
    legacy = (SAMPLES / "bundle-legacy.pfx").read_bytes()  # RC2/3DES with the PKCS#12 KDF, SHA-1 MAC
    fields = iteration_fields(parse(legacy)[0])
    assert fields["encrypted-data"] and fields["shrouded-key"]
    refused(with_iterations(legacy, shrouded_key=50_000_000), certconv.UnsafeInputError, password=SAMPLE_PASSWORD)
    refused(with_iterations(legacy, encrypted_data=50_000_000), certconv.UnsafeInputError, password=SAMPLE_PASSWORD)


def test_counts_under_the_bound_each_but_over_it_together_are_refused(sample_pfx: bytes) -> None:
    crafted = with_iterations(sample_pfx, mac=4_000_000, encrypted_data=4_000_000, shrouded_key=4_000_000)
    assert "12,000,000" in refused(crafted, certconv.UnsafeInputError, password=SAMPLE_PASSWORD)


def test_huge_count_is_refused_without_a_password_and_with_a_wrong_one(sample_pfx: bytes) -> None:
    crafted = with_iterations(sample_pfx, mac=2**31 - 1)
    refused(crafted, certconv.UnsafeInputError)
    refused(crafted, certconv.UnsafeInputError, password="wrong")


def test_pbmac1_iteration_count_is_bounded(sample_pfx: bytes) -> None:
    # RFC 9579: the MAC algorithm is PBMAC1 and its PBKDF2 parameters carry the count.
    pfx, _ = parse(sample_pfx)
    digest_info = pfx.children[2].children[0]
    pbkdf2 = seq(oid("1.2.840.113549.1.5.12"), seq(Node(0x04, b"saltsalt"), integer(2**40), integer(32)))
    hmac = seq(oid("1.2.840.113549.2.9"))
    digest_info.children[0] = seq(oid("1.2.840.113549.1.5.14"), seq(pbkdf2, hmac))
    message = refused(encode(pfx), certconv.UnsafeInputError, password=SAMPLE_PASSWORD)
    assert "PBMAC1" in message


def test_scrypt_with_absurd_cost_is_refused(sample_pfx: bytes) -> None:
    pfx, _ = parse(sample_pfx)
    for node in iteration_fields(pfx)["shrouded-key"]:
        node.value = integer(2048).value
    scrypt = seq(oid("1.3.6.1.4.1.11591.4.11"), seq(Node(0x04, b"saltsalt"), integer(2**30), integer(8), integer(1)))

    def swap(node: Node) -> None:
        for i, child in enumerate(node.children):
            if child.children and child.children[0].tag == 0x06 and child.children[0].value == PBKDF2:
                node.children[i] = scrypt
                return
            swap(child)
        if node.inner is not None:
            swap(node.inner)

    swap(pfx)
    assert "scrypt" in refused(encode(pfx), certconv.UnsafeInputError, password=SAMPLE_PASSWORD)


def test_real_files_with_high_but_sane_counts_open() -> None:
    # OWASP 2023 asks 600,000 rounds of PBKDF2-HMAC-SHA256: such a file must load, not be refused.
    root = issue("Counted Root", ca=True)
    encryption = (
        serialization.PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(600_000)
        .hmac_hash(hashes.SHA256())
        .build(b"pw")
    )
    data = serialization.pkcs12.serialize_key_and_certificates(b"x", root.key, root.cert, None, encryption)
    _pkcs12.check_work(data, "owasp.pfx")  # no exception: 3 x 600,000 is under the bound
    assert certconv.load(data, password="pw").certificates[0].sha1


def test_absurd_nesting_in_a_pkcs12_is_refused_quickly() -> None:
    # version 3, then an authSafe nested in 100,000 indefinite-length SEQUENCEs.
    depth = 100_000
    data = b"\x30\x80\x02\x01\x03" + b"\x30\x80" * depth + b"\x00\x00" * (depth + 1)
    assert "nested deeper" in refused(data, certconv.UnsafeInputError, password="x")


# -- truncation, bit flips, random bytes ---------------------------------------------------


def boundaries(data: bytes) -> list[int]:
    """Every offset where an element of ``data`` (or of a DER value it wraps) starts or ends."""
    cuts: set[int] = set()

    def walk(node_data: bytes, base: int) -> None:
        pos = 0
        while pos < len(node_data):
            tag, length, start = _header(node_data, pos)
            end = start + length
            cuts.update({base + pos, base + start, base + end})
            if tag & 0x20:
                walk(node_data[start:end], base + start)
            elif tag == 0x04 and length > 2 and node_data[start] == 0x30:
                try:
                    if parse(node_data[start:end])[1] == length:
                        walk(node_data[start:end], base + start)
                except (AssertionError, IndexError):
                    pass
            pos = end

    walk(data, 0)
    return sorted(c for c in cuts if 0 < c < len(data))


def test_truncation_at_every_structural_boundary_of_a_real_pfx(sample_pfx: bytes) -> None:
    cuts = boundaries(sample_pfx)
    assert len(cuts) > 60  # headers and ends of every element, down to the certificates' fields
    for cut in cuts:
        with counted(iterations_of=iterations_of) as work, pytest.raises(certconv.CorruptInputError):
            certconv.load(sample_pfx[:cut], password=SAMPLE_PASSWORD)
        assert_small(work)


@pytest.mark.parametrize("fmt", ["der-p7b", "der"])
def test_truncation_of_der_formats(pki: Pki, fmt: str) -> None:
    data = {"der-p7b": to_p7b(pki.chain), "der": pki.leaf.der}[fmt]
    for cut in range(1, len(data)):
        with counted() as work, pytest.raises(certconv.CorruptInputError, match=r"runs past the end|truncated"):
            certconv.load(data[:cut])
        assert_small(work, derives=False)


def test_truncated_pem_never_yields_a_damaged_certificate(pki: Pki) -> None:
    # Text between blocks is ignored (Bag Attributes, comments), so a cut outside a block loads
    # exactly the complete blocks before it; a cut inside a block is an error naming the block.
    data = to_pem(pki.chain)
    begin_line = len(b"-----BEGIN CERTIFICATE-----")
    starts = [i for i in range(len(data)) if data.startswith(b"-----BEGIN", i)]
    ends = [data.index(b"-----END CERTIFICATE-----", i) + begin_line - 2 for i in starts]
    assert len(starts) == len(certconv.load(data).certificates) == 3
    for cut in range(1, len(data)):
        complete = sum(1 for end in ends if end <= cut)
        inside = any(start + begin_line <= cut < end for start, end in zip(starts, ends, strict=True))
        with counted() as work:
            try:
                bundle = certconv.load(data[:cut])
            except certconv.CorruptInputError as exc:
                assert inside, (cut, str(exc))
                assert "has no END line" in str(exc)
                continue
            except (certconv.UnsupportedFormatError, certconv.NoCertificateError):
                assert complete == 0 and not inside, cut
                continue
            finally:
                assert_small(work, derives=False)
        assert not inside, cut
        assert len(bundle.certificates) == complete, cut


def test_bit_flips_in_a_real_pfx_are_never_blamed_on_the_right_password(sample_pfx: bytes) -> None:
    # One bit in every 11th byte. The MAC covers the contents, so nothing flipped there loads;
    # and since the password still decrypts the parts the flip missed, certconv says the file
    # is damaged instead of "wrong password". Only where neither check can be followed (the
    # flip broke the structure both rely on) does it say it cannot tell.
    outcomes: dict[str, int] = {}
    for pos in range(0, len(sample_pfx), 11):
        flipped = bytearray(sample_pfx)
        flipped[pos] ^= 1 << (pos % 8)
        with counted(iterations_of=iterations_of) as work, pytest.raises(certconv.CertconvError) as caught:
            certconv.load(bytes(flipped), password=SAMPLE_PASSWORD)
        assert_small(work)
        error = caught.value
        if isinstance(error, certconv.WrongPasswordError):
            assert "wrong password, or the file is damaged" in str(error), (pos, str(error))
        else:
            assert type(error) in (certconv.CorruptInputError, certconv.UnsupportedFormatError), (pos, str(error))
        outcomes[type(error).__name__] = outcomes.get(type(error).__name__, 0) + 1
    assert outcomes["CorruptInputError"] > 0.95 * sum(outcomes.values())


def test_damaged_mac_with_the_right_password_is_damage_and_with_a_wrong_one_a_wrong_password(
    sample_pfx: bytes,
) -> None:
    pfx, _ = parse(sample_pfx)
    digest = pfx.children[2].children[0].children[1]
    digest.value = bytes(len(digest.value))
    damaged = encode(pfx)
    assert "MAC does not match" in refused(damaged, certconv.CorruptInputError, password=SAMPLE_PASSWORD, derives=True)
    assert "wrong password for PKCS#12" in refused(damaged, certconv.WrongPasswordError, password="nope", derives=True)


def test_bit_flips_in_a_certificate_never_escape(pki: Pki) -> None:
    der = pki.intermediate.der
    for pos in range(len(der)):
        flipped = bytearray(der)
        flipped[pos] ^= 0x80 >> (pos % 8)
        with counted() as work, suppress(certconv.CertconvError):  # a flipped signature bit still loads
            certconv.load(bytes(flipped))
        assert_small(work, derives=False)


@pytest.mark.parametrize("seed", range(20))
def test_random_bytes_are_not_a_certificate_format(seed: int) -> None:
    import random

    data = bytearray(random.Random(seed).randbytes(4096))
    data[0] = 0x31 + seed  # not a SEQUENCE, not PEM, not a JKS magic
    refused(bytes(data), certconv.UnsupportedFormatError)


# -- size and count bounds -----------------------------------------------------------------


def test_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "huge.pem"
    with big.open("wb") as handle:  # sparse: 1 GiB that costs nothing unless read
        handle.truncate(1 << 30)
    before = bytes_read()
    with pytest.raises(certconv.InputTooLargeError, match="1,073,741,824 bytes"):
        certconv.load(big)
    assert bytes_read() - before < 1 << 20  # reading it would be 1,073,741,824


def bytes_read() -> int:
    """Bytes this process has read through system calls (Linux's /proc/self/io ``rchar``)."""
    io = Path("/proc/self/io")
    if not io.exists():
        pytest.skip("needs /proc/self/io to count bytes read")
    return next(int(line.split()[1]) for line in io.read_text().splitlines() if line.startswith("rchar:"))


def test_limit_applies_to_bytes_and_sources(pki: Pki) -> None:
    data = to_pem(pki.chain)
    with pytest.raises(certconv.InputTooLargeError):
        certconv.load(data, max_input_size=len(data) - 1)
    with pytest.raises(certconv.InputTooLargeError):
        certconv.load(certconv.Source("x", data), max_input_size=100)
    assert len(certconv.load(data, max_input_size=len(data)).certificates) == 3


@pytest.mark.parametrize("command", ["split", "inspect"])
def test_stdin_is_read_only_up_to_the_limit(pki: Pki, tmp_path: Path, command: str) -> None:
    data = to_pem(pki.chain) * 50
    extra = ["--out", str(tmp_path / "o")] if command == "split" else []
    result = CliRunner().invoke(app, [command, "-", "--max-input-size", "1000", *extra], input=data)
    assert result.exit_code == 1, result.output
    assert "over the 1,000-byte input limit" in result.stderr
    assert not (tmp_path / "o").exists()


def test_huge_pem_with_one_giant_block_fails_quickly() -> None:
    body = base64.encodebytes(os.urandom(12 * 1024 * 1024))
    data = b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"
    # 16 MiB of Base-64, decoded once, and no Python loop over it.
    with counted() as work, pytest.raises(certconv.CorruptInputError, match="damaged certificate"):
        certconv.load(data)
    assert work.base64_bytes <= len(body)
    assert_small(work, derives=False)


def test_too_many_pem_blocks_are_refused_before_parsing() -> None:
    data = b"-----BEGIN X-----\n-----END X-----\n" * (_read.MAX_PEM_BLOCKS + 1)
    assert "200,000 PEM blocks" in refused(data, certconv.UnsafeInputError)


def test_many_ignored_pem_blocks_are_read_quickly_with_bounded_warnings(pki: Pki) -> None:
    # Just under the block bound, all of them blocks certconv ignores: 100 warnings and a summary.
    data = to_pem([pki.root]) + b"-----BEGIN X-----\n-----END X-----\n" * (_read.MAX_PEM_BLOCKS - 1)
    with counted() as work:
        bundle = certconv.load(data)
    # About 23 lines of Python per block: a few more per block (say, a warning built for
    # each) breaks the bound; so does anything quadratic.
    assert work.lines <= 30 * _read.MAX_PEM_BLOCKS, f"{work.lines:,} lines"
    ignored = [w.message for w in bundle.warnings if w.code == "ignored-block"]
    assert len(ignored) == 101 and "199,899 more PEM blocks ignored" in ignored[-1]
    assert len(bundle.certificates) == 1


def test_pem_block_without_end_line_is_truncation() -> None:
    assert "no END line" in refused(b"-----BEGIN CERTIFICATE-----\nMIIB", certconv.CorruptInputError)


def test_certificate_count_bound(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    # The real bound (100,000) needs more than 64 MiB of PEM; the check is the same at 2.
    monkeypatch.setattr(_limits, "MAX_CERTIFICATES", 2)
    for data in (to_pem(pki.chain), to_p7b(pki.chain)):
        assert "more than 2 certificates" in refused(data, certconv.UnsafeInputError)
    assert _limits.MAX_CERTIFICATES == 2 and len(certconv.load(to_pem(pki.chain[:2])).certificates) == 2


def test_pkcs7_with_certificates_over_the_bound_is_refused_before_reading_them(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits, "MAX_CERTIFICATES", 1000)
    data = to_p7b([pki.root] * 1001)  # the same certificate 1001 times
    refused(data, certconv.UnsafeInputError)


# -- nesting and indefinite lengths ------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"\x30\x80" * 200_000 + b"\x00\x00" * 200_000, certconv.CorruptInputError),
        (b"\x30\x84\x00\x00\x00\x00" * 1, certconv.UnsupportedFormatError),
        (b"\x30\x80\x30\x80\x30\x80", certconv.CorruptInputError),
    ],
    ids=["200k-indefinite-sequences", "empty-long-form", "indefinite-without-end"],
)
def test_indefinite_and_nested_der_fails_fast(data: bytes, error: type[certconv.CertconvError]) -> None:
    refused(data, error)


def test_deep_definite_nesting_fails_fast() -> None:
    node = b"\x05\x00"
    for _ in range(20_000):
        node = b"\x30" + encode_length(len(node)) + node
    refused(node, certconv.CorruptInputError)


def test_pkcs7_with_indefinite_nesting_fails_fast() -> None:
    signed_data = encode(oid("1.2.840.113549.1.7.2"))
    data = b"\x30\x80" + signed_data + b"\xa0\x80" + b"\x30\x80" * 50_000 + b"\x00\x00" * 50_002
    refused(data, certconv.CorruptInputError)


def test_oversized_oid_is_damage_not_a_hang() -> None:
    data = b"\x30\x83\x01\x00\x05\x06\x83\x01\x00\x00" + b"\xff" * 0x10000 + b"\x00"
    data = b"\x30" + encode_length(len(data) - 5) + data[5:]
    refused(data, certconv.CorruptInputError)


# -- what is not a certificate -------------------------------------------------------------


def test_key_without_certificate(pki: Pki) -> None:
    key_pem = pki.leaf.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    assert "a private key but no certificate" in refused(key_pem, certconv.NoCertificateError)
    key_der = pki.leaf.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    assert "a private key but no certificate" in refused(key_der, certconv.NoCertificateError)


def test_pfx_with_a_key_and_no_certificate(pki: Pki) -> None:
    data = serialization.pkcs12.serialize_key_and_certificates(
        b"k", pki.leaf.key, None, None, serialization.BestAvailableEncryption(b"pw")
    )
    assert "no certificate" in refused(data, certconv.NoCertificateError, password="pw", derives=True)


def _csr(pki: Pki) -> x509.CertificateSigningRequest:
    return (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "csr")]))
        .sign(pki.leaf.key, hashes.SHA256())  # type: ignore[arg-type]
    )


def _crl(pki: Pki) -> x509.CertificateRevocationList:
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateRevocationListBuilder()
        .issuer_name(pki.root.cert.subject)
        .last_update(now)
        .next_update(now + dt.timedelta(days=7))
        .sign(pki.root.key, hashes.SHA256())  # type: ignore[arg-type]
    )


def test_csr_and_crl_files_are_named_for_what_they_are(pki: Pki) -> None:
    der = serialization.Encoding.DER
    assert "signing request (CSR)" in refused(_csr(pki).public_bytes(der), certconv.CorruptInputError)
    assert "revocation list (CRL)" in refused(_crl(pki).public_bytes(der), certconv.CorruptInputError)


def test_pem_csr_and_crl_hold_no_certificate(pki: Pki) -> None:
    pem = serialization.Encoding.PEM
    for data in (_csr(pki).public_bytes(pem), _crl(pki).public_bytes(pem)):
        refused(data, certconv.NoCertificateError)


@pytest.mark.parametrize(
    "body",
    [b"MIIB!!!!\n", b"MIIBIjAN=BgkqhkiG\n", b"====\n", b"\xff\xfe\n", b"M\n"],
    ids=["bad-characters", "padding-inside", "only-padding", "binary", "one-character"],
)
def test_pem_with_broken_base64(body: bytes) -> None:
    data = b"-----BEGIN CERTIFICATE-----\n" + body + b"-----END CERTIFICATE-----\n"
    assert "broken Base-64" in refused(data, certconv.CorruptInputError)


def test_one_broken_block_among_good_ones_names_the_block(pki: Pki) -> None:
    data = to_pem(pki.chain[:2]) + b"-----BEGIN CERTIFICATE-----\nMII%%\n-----END CERTIFICATE-----\n"
    assert "PEM block 3" in refused(data, certconv.CorruptInputError)


def test_keystore_of_an_unknown_version_is_named() -> None:
    # JKS and JCEKS are read (tests/test_jks.py); a version they never had is named, not guessed at.
    assert "JKS keystore of version 0" in refused(b"\xfe\xed\xfe\xed" + b"\0" * 64, certconv.UnsupportedFormatError)


# -- wrong, missing, not PKCS#12, corrupt PKCS#12 ------------------------------------------


def test_missing_password(sample_pfx: bytes) -> None:
    refused(sample_pfx, certconv.PasswordRequiredError, derives=True)


def test_wrong_password(sample_pfx: bytes) -> None:
    assert "wrong password" in refused(sample_pfx, certconv.WrongPasswordError, password="not-it", derives=True)


def test_right_password_but_damaged_contents(sample_pfx: bytes) -> None:
    # Damage the encrypted certificates, then make the MAC right again with the right password:
    # the MAC verifies, decryption fails, so the file (not the password) is at fault.
    pfx, _ = parse(sample_pfx)
    auth_safe = pfx.children[1].children[1].children[0].inner
    assert auth_safe is not None
    encrypted = auth_safe.children[0].children[1].children[0].children[1].children[2]
    assert encrypted.tag == 0x80  # [0] IMPLICIT encryptedContent
    encrypted.value = encrypted.value[:-16] + bytes(16)
    content = encode(auth_safe)
    mac = pfx.children[2]
    salt, count = mac.children[1].value, int.from_bytes(mac.children[2].value, "big")
    key = pkcs12_mac_key(SAMPLE_PASSWORD, salt, count)
    import hmac

    mac.children[0].children[1].value = hmac.new(key, content, "sha256").digest()
    message = refused(encode(pfx), certconv.CorruptInputError, password=SAMPLE_PASSWORD, derives=True)
    assert "password is right" in message


def pkcs12_mac_key(password: str, salt: bytes, iterations: int) -> bytes:
    """RFC 7292 Appendix B.2 with ID 3 and SHA-256 (the oracle for the test above)."""
    import hashlib

    u, v = 32, 64
    pw = password.encode("utf-16-be") + b"\0\0"

    def fill(b: bytes) -> bytes:  # copies of b up to the next multiple of v bytes
        if not b:
            return b""
        n = v * -(-len(b) // v)
        return (b * (n // len(b) + 1))[:n]

    a = hashlib.sha256(bytes([3]) * v + fill(salt) + fill(pw)).digest()
    for _ in range(iterations - 1):
        a = hashlib.sha256(a).digest()
    return a[:u]


def test_sequence_starting_with_version_3_but_no_pkcs12_is_damage() -> None:
    assert "PKCS#12" in refused(b"\x30\x03\x02\x01\x03", certconv.CorruptInputError, password="x")


def test_other_der_is_not_pkcs12(pki: Pki) -> None:
    data = encode(seq(oid("1.2.840.113549.1.7.3"), Node(0xA0, children=[seq()])))  # envelopedData
    assert "carries no certificates" in refused(data, certconv.UnsupportedFormatError)


# -- file names and the output folder --------------------------------------------------------


def _cn(value: str) -> x509.Name:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # over-long CNs are real-world; cryptography warns
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, value, _validate=False)])


NASTY_NAMES = [
    "../../../../tmp/escape",
    "..",
    "/etc/passwd",
    "C:\\Windows\\System32\\drivers",
    "\\\\server\\share",
    "CON",
    "nul.tar.gz",
    "COM1",
    "LPT9.txt",
    "aux",
    "-rf --no-preserve-root",
    ".bashrc",
    "..hidden",
    "tab\there\nnewline\rcr\x00nul\x1bescape\x7fdel",
    "left\u202eright\u2066isolate\u200fmark\u200bzero-width",
    'w<i>n:d"o|w?s*',
    "trailing dot. ",
    "\U00020000" * 64,  # CJK extension B: four bytes each in UTF-8
    "हिन्दी प्रमाणपत्र",
    "مرجع الشهادات",
    "x" * 1000,
    "",
]


def test_nasty_subjects_are_written_inside_out_with_safe_unique_names(tmp_path: Path) -> None:
    certs = [issue(_cn(name), ca=True) for name in NASTY_NAMES] + [issue(x509.Name([]), ca=True)]
    out = tmp_path / "deep" / "out"
    before = set(tmp_path.rglob("*"))
    manifest = certconv.split(to_pem(certs), out)
    written = {p.name for p in out.iterdir()}
    assert {*manifest.files, MANIFEST_NAME} <= written
    assert set(tmp_path.rglob("*")) - before == {tmp_path / "deep", out} | {out / n for n in written}
    names = [n for n in written if n.endswith(".cer")]
    assert len(names) == len(certs) and len({n.casefold() for n in names}) == len(certs)
    for name in names:
        import unicodedata

        assert (out / name).resolve().parent == out.resolve()
        assert not set(name) & set('/\\<>:"|?*') and ".." not in name
        assert not [c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
        assert name[0] not in ".-" and not name.endswith((" ", "."))
        assert len(name.encode("utf-8")) <= 200 and len(name) <= 100
        stem = name.split(".")[0].upper()
        assert stem not in {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(10)}
    assert any("हिन्दी" in n for n in names)  # combining marks kept: still readable
    assert any("مرجع" in n for n in names)
    assert sorted(certconv.file_names(certconv.load(to_pem(certs)).certificates).values()) == sorted(names)


def test_crafted_subject_cannot_take_a_suffixed_name(tmp_path: Path) -> None:
    # Two "Twin CA"s get "-<sha1[:8]>" suffixes; a third certificate whose CN *is* one of those
    # suffixed names must not make two files collide (one certificate would silently be lost).
    twins = [issue("Twin CA", ca=True), issue("Twin CA", ca=True)]
    bundle = certconv.load(to_pem(twins))
    suffixed = sorted(certconv.file_names(bundle.certificates).values())[0].removeprefix("root-").removesuffix(".cer")
    impostor = issue(suffixed, ca=True)
    manifest = certconv.split(to_pem([*twins, impostor]), tmp_path)
    assert len(manifest.files) == 3 and len({f.casefold() for f in manifest.files}) == 3
    assert len(list(tmp_path.glob("*.cer"))) == 3


def test_ctrl_c_while_staging_leaves_nothing(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    interrupt_on_call(monkeypatch, _atomic, "write_new", 2)
    with pytest.raises(KeyboardInterrupt):
        certconv.split(to_pem(pki.chain), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_ctrl_c_while_moving_into_place_restores_what_was_there(
    pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    certconv.split(to_pem(pki.chain), tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    interrupt_on_call(monkeypatch, os, "replace", 3)
    with pytest.raises(KeyboardInterrupt):
        certconv.split(to_pem([*pki.chain, issue("Another Root", ca=True)]), tmp_path, force=True)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_ctrl_c_in_the_cli_says_nothing_was_written(pki: Pki, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "chain.pem"
    source.write_bytes(to_pem(pki.chain))
    interrupt_on_call(monkeypatch, _atomic, "write_new", 1)
    result = CliRunner().invoke(app, ["split", str(source), "--out", str(tmp_path / "out")])
    assert result.exit_code == 130
    assert "nothing was written" in result.stderr
    assert not (tmp_path / "out").exists()


def interrupt_on_call(monkeypatch: pytest.MonkeyPatch, module: object, name: str, n: int) -> None:
    real: Callable[..., object] = getattr(module, name)
    calls = {"n": 0}

    def wrapper(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)


def test_symlinked_manifest_is_not_followed(pki: Pki, tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.json"
    out.mkdir()
    victim.write_text("precious")
    (out / MANIFEST_NAME).symlink_to(victim)
    with pytest.raises(certconv.OutputExistsError):
        certconv.split(to_pem(pki.chain), out)
    assert victim.read_text() == "precious" and not list(out.glob("*.cer"))
    certconv.split(to_pem(pki.chain), out, force=True)
    assert victim.read_text() == "precious"
    assert not (out / MANIFEST_NAME).is_symlink()


def test_dangling_symlink_counts_as_existing(pki: Pki, tmp_path: Path) -> None:
    (tmp_path / "root-Test_Root_CA.cer").symlink_to(tmp_path / "elsewhere" / "x.cer")
    with pytest.raises(certconv.OutputExistsError):
        certconv.split(to_pem(pki.chain), tmp_path)
    assert not (tmp_path / "elsewhere").exists()


def test_key_material_is_written_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        _atomic.write_files(tmp_path, {"k.pem": b"secret"}, force=False, mode=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "k.pem").stat().st_mode) == 0o600


# -- secrets ------------------------------------------------------------------------------------

SECRET = "Zq9-üñí-XYZZY-hunter2"  # distinctive: found anywhere it leaks


@pytest.fixture
def secret_pfx(pki: Pki, tmp_path: Path) -> Path:
    path = tmp_path / "secret.pfx"
    path.write_bytes(to_pfx(pki.leaf, [pki.intermediate, pki.root], password=SECRET.encode()))
    return path


def _leaks(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        return SECRET.encode() in text or SECRET.encode("utf-16-be") in text
    return SECRET in text or "hunter2" in text


def test_password_never_appears_in_output_manifest_or_errors(secret_pfx: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    pw_file = tmp_path / "pw"
    pw_file.write_text(SECRET + "\n")
    damaged = tmp_path / "damaged.pfx"
    damaged.write_bytes(with_iterations(secret_pfx.read_bytes(), mac=2**40))
    runs = [
        ["split", str(secret_pfx), "--password", SECRET, "--out", str(tmp_path / "a")],
        ["split", str(secret_pfx), "--password-file", str(pw_file), "--json", "--out", str(tmp_path / "b")],
        ["split", str(secret_pfx), "--password", SECRET + "x", "--out", str(tmp_path / "c")],
        ["split", str(damaged), "--password", SECRET, "--out", str(tmp_path / "d")],
        ["inspect", str(secret_pfx), "--password", SECRET],
        ["inspect", str(secret_pfx), "--password-file", str(pw_file), "--json"],
    ]
    codes = []
    for argv in runs:
        result = runner.invoke(app, argv)
        codes.append(result.exit_code)
        assert not _leaks(result.stdout) and not _leaks(result.stderr), argv
    assert codes == [0, 0, 1, 1, 0, 0]
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.suffix != ".pfx" and path.name != "pw":
            assert not _leaks(path.read_bytes()), path


def test_password_never_appears_in_exceptions(secret_pfx: Path) -> None:
    data = secret_pfx.read_bytes()
    cases: list[bytes] = [data, with_iterations(data, mac=2**40), data[:-5], data[:700]]
    for case in cases:
        for password in (SECRET + "-wrong", SECRET):
            try:
                certconv.load(case, password=password)
            except certconv.CertconvError as exc:
                text = "".join(traceback.format_exception(exc)) + repr(exc.args) + repr(vars(exc))
                assert not _leaks(text)
                assert exc.__cause__ is None or not _leaks(str(exc.__cause__))


def test_password_on_the_command_line_prints_a_one_line_notice(secret_pfx: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["split", str(secret_pfx), "--password", SECRET, "--out", str(tmp_path / "o")])
    notices = [line for line in result.stderr.splitlines() if line.startswith("note:")]
    assert len(notices) == 1 and "--password-file" in notices[0] and "--password-env" in notices[0]


def test_wrong_password_cli_error_is_one_line_exit_1(secret_pfx: Path, tmp_path: Path) -> None:
    result = CliRunner(env={"PW": "nope"}).invoke(
        app, ["split", str(secret_pfx), "--password-env", "PW", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    # CliRunner swallows an escaping exception (exit 1, no traceback printed): check it directly.
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("command", ["split", "inspect", "verify", "convert"])
def test_every_command_turns_hostile_input_into_exit_1(sample_pfx: bytes, tmp_path: Path, command: str) -> None:
    crafted = tmp_path / "crafted.pfx"
    crafted.write_bytes(with_iterations(sample_pfx, shrouded_key=2**40))
    extra = {"split": ["--out", str(tmp_path / "o")], "convert": ["--to", "pem", "--out", str(tmp_path / "x.pem")]}
    argv = [command, str(crafted), "--password-env", "PW", *extra.get(command, [])]
    with counted(lines=False, iterations_of=iterations_of) as work:
        result = CliRunner(env={"PW": SAMPLE_PASSWORD}).invoke(app, argv)
    assert work.derivations == [], "refused only after a key derivation started"
    assert result.exit_code == 1, result.output
    assert "error:" in result.stderr and "10,000,000" in result.stderr
    assert isinstance(result.exception, SystemExit)  # an escaping exception would also exit 1


def test_password_probe_follows_pbes2_only(sample_pfx: bytes, pki: Pki) -> None:
    def probe(data: bytes, password: bytes) -> bool | None:
        return _pkcs12_open.Opening(data, "x.pfx").password_decrypts(password)

    assert probe(sample_pfx, SAMPLE_PASSWORD.encode()) is True
    assert probe(sample_pfx, b"wrong") is False
    legacy = (SAMPLES / "bundle-legacy.pfx").read_bytes()  # PBES1 (RC2-40, 3DES with the PKCS#12 KDF)
    assert probe(legacy, SAMPLE_PASSWORD.encode()) is None
    modern = to_pfx(pki.leaf, [pki.root], password=b"pw")  # cryptography's BestAvailableEncryption: AES-256
    assert probe(modern, b"pw") is True
    assert probe(modern, b"pW") is False


def _pbes2_cipher(algorithm: Node, password: bytes) -> Cipher[modes.CBC]:
    """The AES-256-CBC cipher of a PBES2/PBKDF2-HMAC-SHA256 AlgorithmIdentifier (OpenSSL 3's default)."""
    kdf, scheme = algorithm.children[1].children
    salt, count = kdf.children[1].children[0].value, int.from_bytes(kdf.children[1].children[1].value, "big")
    key = PBKDF2HMAC(hashes.SHA256(), 32, salt, count).derive(password)
    return Cipher(algorithms.AES(key), modes.CBC(scheme.children[1].value))


def hide_key_bag(data: bytes, password: str, key_iterations: int) -> bytes:
    """Move the PFX's shrouded key bag into its encrypted contents, with ``key_iterations``; fix the MAC."""
    pfx, _ = parse(data)
    auth_safe = pfx.children[1].children[1].children[0].inner
    assert auth_safe is not None
    encrypted_info, key_info = auth_safe.children
    content_info = encrypted_info.children[1].children[0].children[1]
    algorithm, ciphertext = content_info.children[1], content_info.children[2]
    cipher = _pbes2_cipher(algorithm, password.encode())
    decryptor = cipher.decryptor()
    plain = decryptor.update(ciphertext.value) + decryptor.finalize()
    safe_contents, _ = parse(plain[: -plain[-1]])
    key_bag = key_info.children[1].children[0].inner.children[0]  # type: ignore[union-attr]
    for node in iteration_fields(pfx)["shrouded-key"]:
        node.value = integer(key_iterations).value
    safe_contents.children.append(key_bag)
    body = encode(safe_contents)
    body += bytes([16 - len(body) % 16]) * (16 - len(body) % 16)
    encryptor = cipher.encryptor()
    ciphertext.value = encryptor.update(body) + encryptor.finalize()
    auth_safe.children = [encrypted_info]  # the key now lives only inside the encrypted contents
    mac = pfx.children[2]
    salt, count = mac.children[1].value, int.from_bytes(mac.children[2].value, "big")
    import hmac

    mac.children[0].children[1].value = hmac.new(
        pkcs12_mac_key(password, salt, count), encode(auth_safe), "sha256"
    ).digest()
    return encode(pfx)


def test_key_bag_hidden_in_the_encrypted_contents_is_bounded_too(sample_pfx: bytes) -> None:
    # Only visible after decrypting with the right password: certconv decrypts first (one
    # derivation bounded by the visible count), then refuses before OpenSSL derives the key's.
    honest = hide_key_bag(sample_pfx, SAMPLE_PASSWORD, 2048)
    bundle = certconv.load(honest, password=SAMPLE_PASSWORD)  # OpenSSL reads keys there; so must certconv
    assert len(bundle.certificates) == 3 and bundle.certificates[0].sha1
    crafted = hide_key_bag(sample_pfx, SAMPLE_PASSWORD, 2**31 - 1)
    _pkcs12.check_work(crafted, "visible.pfx")  # nothing over the bound is in the clear
    message = refused(crafted, certconv.UnsafeInputError, password=SAMPLE_PASSWORD, derives=True)
    assert "shrouded key inside the encrypted contents asks for 2,147,483,647" in message
    refused(crafted, certconv.WrongPasswordError, password="wrong", derives=True)  # a wrong password opens nothing


def _with_unreadable_extensions(pki: Pki, how: str) -> bytes:
    """The leaf with its extensions made unreadable: a duplicated one, or a damaged one plus a negative
    AKI serial (cryptography then re-parses and warns again on every access)."""
    cert, _ = parse(pki.leaf.der)
    extensions = cert.children[0].children[7].children[0]
    if how == "duplicate":
        extensions.children.append(extensions.children[0])
        return encode(cert)
    return (REGRESSIONS / "load-negative-aki-serial-and-damaged-extension.bin").read_bytes()


REGRESSIONS = Path(__file__).parent / "fuzz" / "regressions"


@pytest.mark.parametrize("how", ["duplicate", "negative-aki-serial"])
@pytest.mark.parametrize("command", ["split", "inspect", "verify", "convert"])
def test_every_command_survives_unreadable_extensions(pki: Pki, tmp_path: Path, command: str, how: str) -> None:
    source = tmp_path / "odd.cer"
    source.write_bytes(_with_unreadable_extensions(pki, how))
    extra = {"split": ["--out", str(tmp_path / "o")], "convert": ["--to", "pem", "--out", str(tmp_path / "x.pem")]}
    result = CliRunner().invoke(app, [command, str(source), *extra.get(command, [])])
    # verify exits 3 (does not verify: the issuer is missing); the others succeed. The regression's
    # damaged extension is a BER boolean in basicConstraints, which the tolerant path reads: a CA
    # certificate, which verify refuses as the certificate under test (exit 1).
    expected = {"duplicate": 3, "negative-aki-serial": 1}[how] if command == "verify" else 0
    assert result.exit_code == expected, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Warning" not in result.stderr


def _same_name_certificates(n: int) -> bytes:
    """``n`` certificates that all name themselves as issuer but are signed by another key."""
    signer = issue("Signer", ca=True)
    same = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Same\nName")])
    return to_pem([issue(same, signer, issuer_name=same, key_ids=False, ca=True) for _ in range(n)])


def test_many_certificates_sharing_one_name_are_refused_before_n_squared_signature_checks() -> None:
    # Each is a candidate issuer of every other: 300 of them took 12 s of signature checks.
    with counted(lines=False) as work, pytest.raises(certconv.UnsafeInputError) as caught:
        certconv.load(_same_name_certificates(300))
    # One check per certificate (is it self-signed?), none of the 89,700 between them.
    assert work.signature_checks <= 300
    message = str(caught.value)
    assert "chaining would need 88,500 signature checks beyond 4 per certificate" in message
    assert "300 certificates name 'Same\\nName' as their issuer and up to 299 certificates of that name" in message


def test_a_few_certificates_sharing_one_name_still_chain() -> None:
    bundle = certconv.load(_same_name_certificates(20))  # 380 checks: well inside the bound
    assert len(bundle.certificates) == 20


@pytest.mark.parametrize("command", ["split", "inspect", "verify"])
def test_subject_names_cannot_forge_or_reorder_report_lines(tmp_path: Path, command: str) -> None:
    import unicodedata

    forged = "Evil\nOK    forged.example\r\x1b[2J\u2028\u202eAC live\x00"
    root = issue(_cn(forged), ca=True)
    source = tmp_path / "evil.pem"
    source.write_bytes(
        to_pem([issue("leaf.example", root), root]) + b"-----BEGIN \x1b[31mX-----\n-----END \x1b[31mX-----\n"
    )
    extra = ["--out", str(tmp_path / "o")] if command == "split" else []
    result = CliRunner().invoke(app, [command, str(source), *extra])
    assert result.exit_code == 0, result.output
    for line in result.output.splitlines():
        assert not line.startswith("OK    forged"), line
        assert not [c for c in line if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")], repr(line)


def _meshes(clusters: int, size: int) -> bytes:
    """``clusters`` groups of ``size`` same-name CA certificates, each signed by the other half's key:
    every certificate is a verified issuer of half its group, and no path reaches a root."""
    certs = []
    for n in range(clusters):
        same = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Mesh {n}")])
        key1, key2 = make_key(), make_key()
        signer1, signer2 = (Issued(issue(same, key=k, ca=True).cert, k) for k in (key1, key2))
        for _ in range(size // 2):
            certs.append(issue(same, signer2, key=key1, issuer_name=same, key_ids=False, ca=True))
            certs.append(issue(same, signer1, key=key2, issuer_name=same, key_ids=False, ca=True))
    return to_pem(certs)


def test_many_cross_signing_meshes_are_chained_within_a_total_search_budget() -> None:
    # Each mesh used up the per-certificate path-search budget: 40 of them took 16 s.
    data = _meshes(40, 14)
    with counted(lines=False) as work:
        bundle = certconv.load(data)
    assert len(bundle.certificates) == 560
    # Without the total budget the search takes 5,600,000 steps (10,000 for each certificate);
    # with it (200,000 + 20 per certificate), the total plus at most one step per certificate once spent.
    assert work.search_steps <= 200_000 + 20 * 560 + 560, f"{work.search_steps:,} steps"


def test_pem_with_more_certificates_than_the_bound_is_refused_before_parsing(pki: Pki) -> None:
    data = pki.root.pem * (_limits.MAX_CERTIFICATES + 1)  # about 60 MiB: under the size limit
    assert len(data) < certconv.DEFAULT_MAX_INPUT_SIZE
    assert "more than 100,000 certificates" in refused(data, certconv.UnsafeInputError)


def test_certificate_bound_counts_pkcs12_and_every_pkcs7_block(pki: Pki, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_limits, "MAX_CERTIFICATES", 3)
    pfx = to_pfx(pki.leaf, [pki.intermediate, pki.root, issue("Extra", ca=True)])
    refused(pfx, certconv.UnsafeInputError, password="changeit", derives=True)
    two_blocks = to_p7b(pki.chain[:2], pem=True) + to_p7b(pki.chain[1:], pem=True)
    refused(two_blocks, certconv.UnsafeInputError)


def test_encrypted_pem_key_with_a_huge_count_is_refused_before_derivation(pki: Pki) -> None:
    encrypted = pki.leaf.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    info, _ = parse(encrypted)  # EncryptedPrivateKeyInfo: PBES2 { PBKDF2 { salt, count, ... }, AES }
    fields = info.children[0].children[1].children[0].children[1]
    fields.children[1] = integer(2**31 - 1)
    pem = (
        b"-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
        + base64.encodebytes(encode(info))
        + (b"-----END ENCRYPTED PRIVATE KEY-----\n")
    )
    message = refused(to_pem(pki.chain) + pem, certconv.UnsafeInputError, password="pw")
    assert "PEM block 4 (ENCRYPTED PRIVATE KEY): encrypted private key asks for 2,147,483,647" in message
    # Without a password the key is not decrypted at all, so nothing needs refusing.
    assert len(certconv.load(to_pem(pki.chain) + pem).certificates) == 3


def test_rsa_keys_with_giant_exponents_are_not_checked_at_ten_milliseconds_each() -> None:
    import secrets

    from cryptography.hazmat.primitives.asymmetric import rsa

    signer = issue("Signer", ca=True)
    certs = []
    for n in range(300):
        modulus = secrets.randbits(3072) | (1 << 3071) | 1
        exponent = secrets.randbits(3071) | (1 << 3070) | 1  # OpenSSL accepts it up to 3072-bit moduli
        key = rsa.RSAPublicNumbers(exponent, modulus).public_key()
        own = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Giant e {n}")])
        builder = (
            x509.CertificateBuilder()
            .subject_name(own)
            .issuer_name(own)  # self-issued: certconv checks whether it is self-signed
            .public_key(key)
            .serial_number(n + 1)
            .not_valid_before(dt.datetime(2024, 1, 1))
            .not_valid_after(dt.datetime(2034, 1, 1))
        )
        certs.append(builder.sign(signer.key, hashes.SHA256()))  # type: ignore[arg-type]
    data = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)
    with counted(lines=False) as work:  # 300 checks at ~10 ms each took over 3 s
        bundle = certconv.load(data)
    assert work.signature_checks == 0
    assert {w.code for w in bundle.warnings} >= {"unsupported-signature"}
