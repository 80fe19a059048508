"""Run an x509-limbo corpus through certconv (both policies), OpenSSL and cryptography in one run.

Usage, from the repository root in the project's virtual environment::

    python conformance/limbo.py PATH-TO-limbo.json [--family rfc5280] [--show certconv-apim] [--json out.json]

The corpus (C2SP/x509-limbo, Apache-2.0) is not shipped with certconv: pass its
path. Every case is run by every verifier, none is skipped: a verifier that
cannot express a case's setting (revocation lists, DN name constraints…) still
gives an answer, and that answer is counted. The table shows, per family (the
part of the id before ``::``) and verifier, how many answers agree with the
expected result, how many are false accepts (expected FAILURE, verifier said
yes) and false rejects (expected SUCCESS, verifier said no); one summary line
per verifier follows. It also reports, for certconv, the slowest case, every
exception that is not a ``CertconvError`` (there must be none) and whether the
chain ``certconv.load`` picks for the peer is a valid one in the SUCCESS cases.

Verifiers:

* ``certconv-apim`` / ``certconv-strict``: ``certconv.verify(..., policy=...)``
  with the peer as ``peer``, the untrusted intermediates as what the server
  sends and the trusted certificates as a trust store (every one an anchor).
  On a certconv without policies, one column ``certconv`` runs the old call
  (peer and intermediates as input, trusted certificates as ``ca``).
* ``openssl``: the machine's libcrypto through ``ctypes``, set up as limbo's own
  OpenSSL harness does (``X509_V_FLAG_X509_STRICT``, ``X509_V_FLAG_PARTIAL_CHAIN``,
  auth level 2, no partial wildcards, the case's CRLs with CRL checking, purpose
  from the EKU, depth from ``max_chain_depth``).
* ``cryptography``: ``cryptography.x509.verification`` (``PolicyBuilder``,
  ``Store``, ``build_server_verifier`` / ``build_client_verifier``).
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import inspect
import ipaddress
import json
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import __version__ as cryptography_version
from cryptography import x509
from cryptography.x509 import verification as xv

import certconv
from certconv import Source

Case = dict[str, Any]


@dataclass
class Answer:
    accepted: bool
    detail: str = ""
    seconds: float = 0.0
    crashed: str | None = None


# -- certconv -----------------------------------------------------------------------------


def _moment(case: Case) -> datetime | None:
    value = case.get("validation_time")
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


def _host(case: Case) -> str | None:
    peer = case.get("expected_peer_name")
    return peer["value"] if peer else None


def _purpose(case: Case) -> str:
    return "client" if case["validation_kind"] == "CLIENT" or "clientAuth" in case["extended_key_usage"] else "server"


def _pem(certs: list[str]) -> bytes:
    return "".join(certs).encode()


HAS_POLICY = "policy" in inspect.signature(certconv.verify).parameters


def certconv_verifier(policy: str | None) -> Callable[[Case], Answer]:
    def run(case: Case) -> Answer:
        try:
            if policy is None:  # the certconv before policies: one call as issue 12 measured it
                result = certconv.verify(
                    Source("sent.pem", _pem([case["peer_certificate"], *case["untrusted_intermediates"]])),
                    ca=[Source("trusted.pem", _pem(case["trusted_certs"]))],
                    host=_host(case),
                    at=_moment(case),
                    purpose=_purpose(case),
                )
                peer = certconv.load(Source("peer.pem", case["peer_certificate"].encode())).certificates[0]
                chains = [c for c in result.chains if c.leaf.sha256 == peer.sha256]
                ok = bool(chains) and chains[0].ok
                reasons = [f.code for c in chains for f in c.failures]
            else:
                sent = case["untrusted_intermediates"]
                result = certconv.verify(
                    [Source("sent.pem", _pem(sent))] if sent else [],
                    peer=Source("peer.pem", case["peer_certificate"].encode()),
                    trust_store=[Source("trusted.pem", _pem(case["trusted_certs"]))],
                    host=_host(case),
                    at=_moment(case),
                    purpose=_purpose(case),
                    policy=policy,
                    max_depth=case.get("max_chain_depth"),
                )
                ok = result.ok
                reasons = [f"{f.code}: {f.message}" for c in result.chains for f in c.failures]
                reasons += [f"leniencies: {' '.join(c.leniencies)}" for c in result.chains if c.leniencies]
            return Answer(ok, " | ".join(reasons))
        except certconv.CertconvError as exc:
            return Answer(False, f"error: {exc}")

    return run


def chain_choice_is_valid(case: Case, judges: list[Callable[[Case], Answer]]) -> bool | None:
    """Whether the chain ``certconv.load`` picks for the peer still verifies with only its certificates.

    The judge is the first verifier (cryptography first: it is not certconv) that accepts the case with
    every certificate given; ``None`` when none does (no valid path to pick) or when the peer is a CA
    certificate (``load`` makes chains for end-entity certificates only).
    """
    judge = next((j for j in judges if j(case).accepted), None)
    if judge is None:
        return None
    pool = [case["peer_certificate"], *case["untrusted_intermediates"], *case["trusted_certs"]]
    try:
        bundle = certconv.load([Source(f"{i}.pem", pem.encode()) for i, pem in enumerate(pool)], at=_moment(case))
    except certconv.CertconvError:
        return False
    peer = certconv.load(Source("peer.pem", case["peer_certificate"].encode())).certificates[0]
    chains = [c for c in bundle.chains if c.leaf.sha256 == peer.sha256]
    if not chains:
        return None  # the peer is a CA: load chains end-entity certificates only
    chosen = {c.der for c in chains[0].certificates[1:]}
    from cryptography.hazmat.primitives.serialization import Encoding

    def pem_of(text: str) -> bytes:
        return x509.load_pem_x509_certificate(text.encode()).public_bytes(Encoding.DER)

    narrowed = dict(case)
    narrowed["untrusted_intermediates"] = [p for p in case["untrusted_intermediates"] if pem_of(p) in chosen]
    # The trust anchors stay: the chosen chain's top must be one of them, or chain to one.
    return judge(narrowed).accepted


# -- OpenSSL through ctypes, as limbo's harness/openssl/main.cpp ---------------------------


class OpenSSL:
    X509_V_FLAG_CRL_CHECK = 0x4
    X509_V_FLAG_CRL_CHECK_ALL = 0x8
    X509_V_FLAG_X509_STRICT = 0x20
    X509_V_FLAG_PARTIAL_CHAIN = 0x80000
    X509_V_FLAG_NO_CHECK_TIME = 0x200000
    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS = 0x4
    X509_PURPOSE_SSL_CLIENT = 1
    X509_PURPOSE_SSL_SERVER = 2
    X509_PURPOSE_ANY = 7

    def __init__(self) -> None:
        path = ctypes.util.find_library("crypto")
        if path is None:
            raise OSError("libcrypto not found")
        lib = ctypes.CDLL(path)
        p = ctypes.c_void_p
        sigs: dict[str, tuple[Any, list[Any]]] = {
            "OpenSSL_version": (ctypes.c_char_p, [ctypes.c_int]),
            "BIO_new_mem_buf": (p, [ctypes.c_char_p, ctypes.c_int]),
            "BIO_free": (ctypes.c_int, [p]),
            "PEM_read_bio_X509": (p, [p, p, p, p]),
            "PEM_read_bio_X509_CRL": (p, [p, p, p, p]),
            "X509_free": (None, [p]),
            "X509_CRL_free": (None, [p]),
            "X509_STORE_new": (p, []),
            "X509_STORE_free": (None, [p]),
            "X509_STORE_set_flags": (ctypes.c_int, [p, ctypes.c_ulong]),
            "X509_STORE_add_cert": (ctypes.c_int, [p, p]),
            "X509_STORE_add_crl": (ctypes.c_int, [p, p]),
            "OPENSSL_sk_new_null": (p, []),
            "OPENSSL_sk_push": (ctypes.c_int, [p, p]),
            "OPENSSL_sk_free": (None, [p]),
            "X509_STORE_CTX_new": (p, []),
            "X509_STORE_CTX_free": (None, [p]),
            "X509_STORE_CTX_init": (ctypes.c_int, [p, p, p, p]),
            "X509_STORE_CTX_set_time": (None, [p, ctypes.c_ulong, ctypes.c_int64]),
            "X509_STORE_CTX_get0_param": (p, [p]),
            "X509_STORE_CTX_set_purpose": (ctypes.c_int, [p, ctypes.c_int]),
            "X509_STORE_CTX_get_error": (ctypes.c_int, [p]),
            "X509_verify_cert_error_string": (ctypes.c_char_p, [ctypes.c_long]),
            "X509_VERIFY_PARAM_set_auth_level": (None, [p, ctypes.c_int]),
            "X509_VERIFY_PARAM_set_hostflags": (None, [p, ctypes.c_uint]),
            "X509_VERIFY_PARAM_set1_host": (ctypes.c_int, [p, ctypes.c_char_p, ctypes.c_size_t]),
            "X509_VERIFY_PARAM_set1_ip_asc": (ctypes.c_int, [p, ctypes.c_char_p]),
            "X509_VERIFY_PARAM_set_depth": (None, [p, ctypes.c_int]),
            "X509_verify_cert": (ctypes.c_int, [p]),
            "ERR_clear_error": (None, []),
        }
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        self.lib = lib
        self.version = lib.OpenSSL_version(0).decode()

    def _read(self, pem: str, crl: bool = False) -> int:
        data = pem.encode()
        bio = self.lib.BIO_new_mem_buf(data, len(data))
        try:
            reader = self.lib.PEM_read_bio_X509_CRL if crl else self.lib.PEM_read_bio_X509
            obj = reader(bio, None, None, None)
        finally:
            self.lib.BIO_free(bio)
        if not obj:
            raise ValueError("OpenSSL cannot parse a certificate of the case")
        return int(obj)

    def __call__(self, case: Case) -> Answer:
        lib = self.lib
        owned: list[int] = []
        crls: list[int] = []
        store = lib.X509_STORE_new()
        stack = lib.OPENSSL_sk_new_null()
        ctx = lib.X509_STORE_CTX_new()
        try:
            flags = self.X509_V_FLAG_X509_STRICT | self.X509_V_FLAG_PARTIAL_CHAIN
            for pem in case["trusted_certs"]:
                cert = self._read(pem)
                owned.append(cert)
                lib.X509_STORE_add_cert(store, cert)
            if case.get("crls"):
                for pem in case["crls"]:
                    crl = self._read(pem, crl=True)
                    crls.append(crl)
                    lib.X509_STORE_add_crl(store, crl)
                flags |= self.X509_V_FLAG_CRL_CHECK | self.X509_V_FLAG_CRL_CHECK_ALL
            for pem in case["untrusted_intermediates"]:
                cert = self._read(pem)
                owned.append(cert)
                lib.OPENSSL_sk_push(stack, cert)
            peer = self._read(case["peer_certificate"])
            owned.append(peer)
            moment = _moment(case)
            if moment is None:
                flags |= self.X509_V_FLAG_NO_CHECK_TIME
            lib.X509_STORE_set_flags(store, flags)
            lib.X509_STORE_CTX_init(ctx, store, peer, stack)
            if moment is not None:
                lib.X509_STORE_CTX_set_time(ctx, 0, int(moment.timestamp()))
            param = lib.X509_STORE_CTX_get0_param(ctx)
            lib.X509_VERIFY_PARAM_set_auth_level(param, 2)
            peer_name = case.get("expected_peer_name")
            if peer_name:
                value = peer_name["value"].encode()
                if peer_name["kind"] == "DNS":
                    lib.X509_VERIFY_PARAM_set_hostflags(param, self.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS)
                    lib.X509_VERIFY_PARAM_set1_host(param, value, len(value))
                elif peer_name["kind"] == "IP":
                    lib.X509_VERIFY_PARAM_set1_ip_asc(param, value)
            ekus = case["extended_key_usage"]
            if ekus:
                purpose = {"serverAuth": self.X509_PURPOSE_SSL_SERVER, "clientAuth": self.X509_PURPOSE_SSL_CLIENT}
                lib.X509_STORE_CTX_set_purpose(ctx, purpose.get(ekus[0], self.X509_PURPOSE_ANY))
            if case.get("max_chain_depth") is not None:
                lib.X509_VERIFY_PARAM_set_depth(param, int(case["max_chain_depth"]))
            ok = lib.X509_verify_cert(ctx) == 1
            detail = "" if ok else lib.X509_verify_cert_error_string(lib.X509_STORE_CTX_get_error(ctx)).decode()
            lib.ERR_clear_error()
            return Answer(ok, detail)
        except ValueError as exc:
            return Answer(False, str(exc))
        finally:
            lib.X509_STORE_CTX_free(ctx)
            lib.OPENSSL_sk_free(stack)
            lib.X509_STORE_free(store)
            for cert in owned:
                lib.X509_free(cert)
            for crl in crls:
                lib.X509_CRL_free(crl)


# -- cryptography, as limbo's harness/pyca-cryptography/main.py ----------------------------


def cryptography_verifier(case: Case) -> Answer:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trusted = [x509.load_pem_x509_certificate(p.encode()) for p in case["trusted_certs"]]
            untrusted = [x509.load_pem_x509_certificate(p.encode()) for p in case["untrusted_intermediates"]]
            peer = x509.load_pem_x509_certificate(case["peer_certificate"].encode())
        builder = xv.PolicyBuilder().store(xv.Store(trusted))
        moment = _moment(case)
        if moment is not None:
            builder = builder.time(moment)
        if case.get("max_chain_depth") is not None:
            builder = builder.max_chain_depth(int(case["max_chain_depth"]))
        peer_name = case.get("expected_peer_name")
        if case["validation_kind"] == "CLIENT":
            client = builder.build_client_verifier()
            client.verify(peer, untrusted)
            return Answer(True)
        if peer_name is None:
            return Answer(False, "no peer name: a server verifier needs one")
        subject: x509.GeneralName
        if peer_name["kind"] == "IP":
            subject = x509.IPAddress(ipaddress.ip_address(peer_name["value"]))
        else:
            subject = x509.DNSName(peer_name["value"])
        builder.build_server_verifier(subject).verify(peer, untrusted)
        return Answer(True)
    except (xv.VerificationError, ValueError) as exc:
        return Answer(False, str(exc))


# -- the run ------------------------------------------------------------------------------


@dataclass
class Tally:
    agree: int = 0
    false_accept: int = 0
    false_reject: int = 0

    def add(self, expected_ok: bool, accepted: bool) -> None:
        if accepted == expected_ok:
            self.agree += 1
        elif accepted:
            self.false_accept += 1
        else:
            self.false_reject += 1


@dataclass
class Column:
    name: str
    run: Callable[[Case], Answer]
    tallies: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    wrong: list[tuple[str, str, str]] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    crashes: list[tuple[str, str]] = field(default_factory=list)


def family(case: Case) -> str:
    return str(case["id"]).split("::", 1)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="path to a limbo-format JSON file (e.g. limbo.json)")
    parser.add_argument("--family", action="append", help="only cases of this family (repeatable)")
    parser.add_argument("--id", help="only cases whose id contains this text")
    parser.add_argument("--show", action="append", default=[], help="list this verifier's wrong answers")
    parser.add_argument("--json", help="write every answer to this file")
    args = parser.parse_args(argv)

    with open(args.corpus, encoding="utf-8") as handle:
        cases: list[Case] = json.load(handle)["testcases"]
    if args.family:
        cases = [c for c in cases if family(c) in args.family]
    if args.id:
        cases = [c for c in cases if args.id in c["id"]]

    columns: list[Column] = []
    if HAS_POLICY:
        columns += [
            Column("certconv-apim", certconv_verifier("apim")),
            Column("certconv-strict", certconv_verifier("strict")),
        ]
    else:
        columns.append(Column("certconv", certconv_verifier(None)))
    openssl_version = "not available"
    try:
        openssl = OpenSSL()
        openssl_version = openssl.version
        columns.append(Column("openssl", openssl))
    except OSError as exc:
        print(f"OpenSSL skipped: {exc}", file=sys.stderr)
    columns.append(Column("cryptography", cryptography_verifier))

    answers: list[dict[str, Any]] = []
    chain_choice: Counter[str] = Counter()
    for case in cases:
        expected_ok = case["expected_result"] == "SUCCESS"
        row: dict[str, Any] = {"id": case["id"], "expected": case["expected_result"]}
        for column in columns:
            start = time.perf_counter()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    answer = column.run(case)
            except Exception as exc:  # noqa: BLE001 - counted and reported: there must be none
                answer = Answer(False, crashed=f"{type(exc).__name__}: {exc}")
            answer.seconds = time.perf_counter() - start
            if answer.crashed:
                column.crashes.append((case["id"], answer.crashed))
            column.slowest = max(column.slowest, (answer.seconds, case["id"]))
            column.tallies[family(case)].add(expected_ok, answer.accepted)
            if answer.accepted != expected_ok:
                column.wrong.append((case["id"], case["expected_result"], answer.crashed or answer.detail))
            row[column.name] = {"accepted": answer.accepted, "detail": answer.detail, "seconds": answer.seconds}
        if expected_ok:
            order = ("cryptography", "openssl", "certconv-strict", "certconv")
            judges = [c.run for name in order for c in columns if c.name == name]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    valid = chain_choice_is_valid(case, judges)
                except Exception as exc:  # noqa: BLE001 - reported
                    valid = False
                    print(f"chain choice crashed on {case['id']}: {exc!r}", file=sys.stderr)
            key = "not judged" if valid is None else ("valid" if valid else "invalid")
            chain_choice[key] += 1
            if valid is False:
                chain_choice_invalid = row.setdefault("chain_choice", "invalid")
                print(f"chain choice invalid: {case['id']} ({chain_choice_invalid})", file=sys.stderr)
        answers.append(row)

    print(f"# {len(cases)} cases from {args.corpus}")
    print(
        f"# certconv {certconv.__version__}, cryptography {cryptography_version}, {openssl_version}, "
        f"Python {sys.version.split()[0]}, {datetime.now(UTC):%Y-%m-%d}"
    )
    print()
    families = sorted({family(c) for c in cases})
    header = "| family | cases | " + " | ".join(f"{c.name} agree / FA / FR" for c in columns) + " |"
    print(header)
    print("|" + "---|" * (2 + len(columns)))
    for fam in families:
        count = sum(1 for c in cases if family(c) == fam)
        cells = [f"{t.agree} / {t.false_accept} / {t.false_reject}" for t in (c.tallies[fam] for c in columns)]
        print(f"| {fam} | {count} | " + " | ".join(cells) + " |")
    totals = []
    for column in columns:
        total = Tally()
        for t in column.tallies.values():
            total.agree += t.agree
            total.false_accept += t.false_accept
            total.false_reject += t.false_reject
        totals.append(total)
    print(
        f"| **all** | {len(cases)} | "
        + " | ".join(f"**{t.agree} / {t.false_accept} / {t.false_reject}**" for t in totals)
        + " |"
    )
    print()
    for column, total in zip(columns, totals, strict=True):
        print(
            f"{column.name}: {total.agree} agree, {total.false_accept} false accepts, {total.false_reject} false "
            f"rejects; slowest case {column.slowest[0]:.3f} s ({column.slowest[1]}); "
            f"{len(column.crashes)} exceptions other than CertconvError"
        )
    judged = sum(chain_choice.values())
    print(
        f"chain choice (certconv.load) for the {judged} SUCCESS cases: {chain_choice['valid']} valid, "
        f"{chain_choice['invalid']} invalid, {chain_choice['not judged']} not judged (no verifier accepts the case, "
        "or the peer is a CA: load chains end-entity certificates only)"
    )
    for column in columns:
        for case_id, error in column.crashes:
            print(f"EXCEPTION {column.name} {case_id}: {error}")
        if column.name in args.show:
            print()
            print(f"## wrong answers of {column.name}")
            for case_id, expected, detail in column.wrong:
                print(f"- {case_id} (expected {expected}): {detail[:300]}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(answers, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
