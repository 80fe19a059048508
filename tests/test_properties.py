"""Invariants: the order, duplication and packaging of the input never change the output."""

from __future__ import annotations

import json
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pki import DAY, NOW, Issued, issue, make_chain, make_key, name, to_p7b, to_pem, to_pfx

import certconv

PKI = make_chain("Prop")
OTHER_ROOT = issue("Prop Other Root", ca=True)
LONELY_CA = issue("Prop Lonely CA", OTHER_ROOT, ca=True)
# Where the tie-breaks matter: a root present both self-signed and cross-signed by an
# older root, and one CA issued twice with the same name, key and validity.
OLD_ROOT = issue("Prop Old Root", ca=True)
NEW_KEY, TWIN_KEY = make_key(), make_key()
NEW_ROOT = issue("Prop New Root", ca=True, key=NEW_KEY)
CROSS = issue(name("Prop New Root"), OLD_ROOT, ca=True, key=NEW_KEY)
UNTIL = NOW + 400 * DAY
TWIN_A = issue("Prop Twin CA", NEW_ROOT, ca=True, key=TWIN_KEY, not_after=UNTIL)
TWIN_B = issue("Prop Twin CA", NEW_ROOT, ca=True, key=TWIN_KEY, not_after=UNTIL)
TWIN_LEAF = issue("twin.example", TWIN_A)
POOL: list[Issued] = [*PKI.chain, OTHER_ROOT, LONELY_CA, OLD_ROOT, NEW_ROOT, CROSS, TWIN_A, TWIN_B, TWIN_LEAF]


def package(certs: list[Issued], how: str) -> bytes:
    if how == "pem":
        return to_pem(certs)
    if how == "p7b":
        return to_p7b(certs)
    if how == "pfx":
        return to_pfx(None, certs, password=b"pw", friendly_name=None)
    return b"".join(c.der for c in certs[:1])


def split_output(inputs: list[bytes]) -> tuple[dict[str, bytes], dict[str, object]]:
    with TemporaryDirectory() as tmp:
        certconv.split(inputs, tmp, password="pw")
        files = {p.name: p.read_bytes() for p in Path(tmp).iterdir()}
    manifest = json.loads(files.pop("manifest.json"))
    files.pop("UPLOAD.md")  # a function of the certificates too, but not a certificate file
    manifest.pop("inputs")
    manifest["warnings"] = [w for w in manifest["warnings"] if w["code"] != "duplicate"]
    return files, manifest


REFERENCE = split_output([to_pem(POOL)])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    order=st.permutations(POOL),
    extra=st.lists(st.sampled_from(POOL), max_size=4),
    cuts=st.lists(st.integers(min_value=1, max_value=len(POOL) + 3), max_size=4),
    formats=st.lists(st.sampled_from(["pem", "p7b", "pfx", "der"]), min_size=4, max_size=4),
)
def test_shuffled_duplicated_mixed_inputs_give_identical_output(
    order: list[Issued], extra: list[Issued], cuts: list[int], formats: list[str]
) -> None:
    certs = [*order, *extra]
    groups: list[list[Issued]] = []
    start = 0
    for cut in sorted(set(cuts)):
        if start < cut < len(certs):
            groups.append(certs[start:cut])
            start = cut
    groups.append(certs[start:])
    inputs: list[bytes] = []
    for i, group in enumerate(groups):
        how = formats[i % len(formats)]
        if how == "der":  # a DER input holds one certificate: one input per certificate
            inputs += [c.der for c in group]
        else:
            inputs.append(package(group, how))
    assert split_output(inputs) == REFERENCE


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=8))
def test_every_certificate_gets_exactly_one_file(certs: list[Issued]) -> None:
    files, manifest = split_output([to_pem(certs)])
    unique = {c.der for c in certs}
    assert sorted(files.values()) == sorted(unique)
    assert len(manifest["certificates"]) == len(unique)  # type: ignore[arg-type]
