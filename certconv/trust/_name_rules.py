"""Names in verification: the host name (RFC 6125) and name constraints (RFC 5280 §4.2.1.10).

Part of :mod:`certconv.trust._rules`; the string matching itself is :mod:`certconv.trust._hostname`.
Under policy ``apim`` the CN stands in for a host name when the SAN has none, as
Windows does, and DNS name constraints apply to that CN too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from cryptography import x509
from cryptography.x509.oid import NameOID

from ..base._console import printable
from ..base._enums import FailureCode, Leniency
from . import _hostname as hn
from ._policy import REISSUE as _REISSUE
from ._policy import Facts, Problem, Settings

__all__ = ["NAME_CHECK_BUDGET", "name_constraints", "peer_names"]

C = FailureCode
L = Leniency


def peer_names(f: Facts, s: Settings) -> list[Problem]:
    out: list[Problem] = []
    san = f.get(x509.SubjectAlternativeName)
    dns = [str(v) for v in f.san_values(x509.DNSName)]
    ips = [v for v in f.san_values(x509.IPAddress) if isinstance(v, ipaddress.IPv4Address | ipaddress.IPv6Address)]
    empty_subject = len(f.cert.subject) == 0
    if san is None:
        if s.purpose == "server" and not f.is_ca:
            out.append(
                Problem(
                    C.PROFILE,
                    0,
                    "has no subject alternative name, only a CN",
                    "reissue it with its host names in the SAN",
                    L.CN_AS_HOST,
                )
            )
    else:
        if empty_subject and not san.critical:
            out.append(
                Problem(
                    C.PROFILE, 0, "has an empty subject and a SAN that is not critical (RFC 5280 §4.2.1.6)", _REISSUE
                )
            )
        elif not empty_subject and san.critical:
            out.append(
                Problem(
                    C.PROFILE,
                    0,
                    "has a critical SAN although its subject is not empty (CA/Browser Forum §7.1.2.7.12)",
                    _REISSUE,
                    L.ISSUANCE_RULES,
                )
            )
        for entry in dns:
            if not hn.is_dns_pattern(entry):
                out.append(
                    Problem(
                        C.PROFILE,
                        0,
                        f"has `{printable(entry)}` in its SAN, which is not a DNS name (RFC 5280 §4.2.1.6: "
                        "letters, digits and hyphens, internationalized names as xn-- A-labels), so it matches "
                        "no host",
                        "reissue it with valid host names",
                        L.ISSUANCE_RULES,
                    )
                )
        for cn in f.common_names:
            twin = _respelled(cn, dns, ips)
            if twin is not None:
                out.append(
                    Problem(
                        C.PROFILE,
                        0,
                        f"has the CN `{printable(cn)}`, which names the SAN entry "
                        f"`{printable(twin)}` but is not a character-for-character copy of it "
                        "(CA/Browser Forum §7.1.4.3)",
                        _REISSUE,
                        L.ISSUANCE_RULES,
                    )
                )
    if s.host_given:
        out += _host(f, s, dns, ips)
    return out


def _respelled(cn: str, dns: list[str], ips: Sequence[object]) -> str | None:
    """The SAN entry ``cn`` names in another spelling (case, U-label, an address in hex or with zeros)."""
    if cn in dns or any(cn == str(ip) for ip in ips):
        return None
    address = _loose_address(cn)
    if address is not None:
        return next((str(ip) for ip in ips if ip == address), None)
    try:
        # Label by label: a U-label becomes its punycode A-label (RFC 3492) without IDNA's mapping rules.
        folded = ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii") for label in cn.split(".")
        ).lower()
    except UnicodeError:
        return None
    return next((d for d in dns if d.lower() == folded), None)


def _loose_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``text`` read as an address the way lenient parsers do (``0xC0A80101``, ``192.168.001.001``, upper case)."""
    try:
        return ipaddress.ip_address(text.lower() if ":" in text else text)
    except ValueError:
        pass
    parts = text.split(".")
    try:
        numbers = [int(p, 16) if p.lower().startswith("0x") else int(p, 10) for p in parts]
    except ValueError:
        return None
    if len(numbers) == 1 and 0 <= numbers[0] < 2**32:
        return ipaddress.IPv4Address(numbers[0])
    if len(numbers) == 4 and all(0 <= n < 256 for n in numbers):
        return ipaddress.IPv4Address(".".join(map(str, numbers)))
    return None


def _host(f: Facts, s: Settings, dns: list[str], ips: Sequence[object]) -> list[Problem]:
    host = s.host
    if isinstance(host, str):
        if any(hn.matches_host(p, host) for p in dns):
            return []
        if not dns and any(hn.matches_host(cn, host) for cn in f.common_names):
            # Windows (and OpenSSL) take the CN when the SAN has no DNS name; browsers do not.
            return [
                Problem(
                    C.HOSTNAME_MISMATCH,
                    0,
                    f"has `{host}` only in its CN, not in a SAN",
                    "reissue it with the host name in the SAN",
                    L.CN_AS_HOST,
                )
            ]
    elif host is not None and host in ips:
        return []
    covered = ", ".join(printable(n) for n in dns + [str(i) for i in ips]) or (
        ", ".join(f"CN {printable(c)}" for c in f.common_names) or "no host name"
    )
    return [Problem(C.HOSTNAME_MISMATCH, 0, f"covers {covered}", "")]


def name_constraints(path: Sequence[Facts], index: int, s: Settings) -> list[Problem]:
    nc_ext = path[index].get(x509.NameConstraints)
    if nc_ext is None:
        return []
    nc = nc_ext.value
    permitted, excluded = list(nc.permitted_subtrees or ()), list(nc.excluded_subtrees or ())
    if not permitted and not excluded:
        return [Problem(C.NAME_CONSTRAINTS, index, "has empty name constraints (RFC 5280 §4.2.1.10)", _REISSUE)]
    out: list[Problem] = []
    leading = s.policy.allows(L.NC_LEADING_PERIOD)
    names = sum(_name_count(path[j]) for j in range(index))
    if names * (len(permitted) + len(excluded)) > NAME_CHECK_BUDGET:
        # Quadratic by design (limbo's nc-dos cases: 2,048 constraints × 4,096 names); real CAs need dozens.
        return [
            Problem(
                C.NAME_CONSTRAINTS,
                index,
                f"has {len(permitted) + len(excluded):,} name constraints for "
                f"{names:,} names below it, more than certconv checks ({NAME_CHECK_BUDGET:,} comparisons)",
                "use a CA with fewer name constraints, or certificates with fewer names",
            )
        ]
    for tree in permitted + excluded:
        if isinstance(tree, x509.DNSName) and hn.dns_constraint(tree.value, leading_period=False) is None:
            if hn.dns_constraint(tree.value, leading_period=True) is None:
                return [
                    Problem(
                        C.NAME_CONSTRAINTS,
                        index,
                        f"has a malformed DNS name constraint `{printable(tree.value)}`",
                        _REISSUE,
                    )
                ]
            out.append(
                Problem(
                    C.NAME_CONSTRAINTS,
                    index,
                    f"has the DNS name constraint `{printable(tree.value)}` "
                    "with a leading period, which RFC 5280 does not allow",
                    f"reissue it with `{printable(tree.value[1:])}`",
                    L.NC_LEADING_PERIOD,
                )
            )
            if not leading:
                return out
    trees: _Trees | None = None
    ca = path[index]
    for j in range(index):
        below = path[j]
        if j > 0 and below.self_issued:
            continue  # RFC 5280 §4.2.1.10: not applied to self-issued intermediates
        # The verdict for one CA and one certificate below it does not depend on the rest of the path:
        # it is reached once per graph, not once per candidate path through the pair.
        key = ("name-constraints", below.sha256, j == 0, leading, s.policy.allows(L.CN_AS_HOST))
        found = ca.memo.get(key)
        if found is None:
            if trees is None:
                trees = _Trees(permitted, excluded, leading)
            wrong = _names_outside(below, j, trees, s)
            found = ca.memo[key] = (
                ()
                if wrong is None
                else (
                    Problem(
                        C.NAME_CONSTRAINTS,
                        index,
                        f"may only certify names within its name constraints, and `{below.name}` has {wrong}",
                        f"reissue `{below.name}` with names the CA may certify, "
                        "or use a CA whose constraints allow them",
                    ),
                )
            )
        out += [Problem(p.code, index, p.detail, p.fix, p.leniency) for p in found]
    return out


NAME_CHECK_BUDGET = 1 << 16
"""Most name-against-constraint comparisons for one CA (cryptography allows 2**20 for a whole path)."""


def _name_count(f: Facts) -> int:
    san = f.value(x509.SubjectAlternativeName)
    return (len(san) if san is not None else 0) + 1 + len(list(f.cert.subject))


class _Trees:
    """One CA's name constraints read once: DNS domains in tables looked up label by label, the rest by type.

    A DNS name is compared with every DNS constraint in one look-up per label of the name (instead of
    one comparison per constraint), so a CA with hundreds of constraints costs no more than one with few.
    """

    def __init__(self, permitted: list[x509.GeneralName], excluded: list[x509.GeneralName], leading: bool) -> None:
        self.leading = leading
        self.permitted: dict[type, list[x509.GeneralName]] = {}
        self.excluded: dict[type, list[x509.GeneralName]] = {}
        for tree in permitted:
            self.permitted.setdefault(type(tree), []).append(tree)
        for tree in excluded:
            self.excluded.setdefault(type(tree), []).append(tree)
        self.dns_permitted = self._domains(self.permitted.get(x509.DNSName, []))
        self.dns_excluded = self._domains(self.excluded.get(x509.DNSName, []))
        # An excluded domain's parent: a wildcard over that parent stands for a name inside it.
        self.excluded_parents = {domain.partition(".")[2] for domain in self.dns_excluded}

    def _domains(self, trees: list[x509.GeneralName]) -> dict[str, bool]:
        """Each constraint's domain (lower case) → whether only names below it are meant (all constraints on it)."""
        out: dict[str, bool] = {}
        for tree in trees:
            parsed = hn.dns_constraint(tree.value, leading_period=self.leading)
            if parsed is not None:  # malformed ones were refused before any name is compared
                domain, below_only = parsed[0].lower(), parsed[1]
                out[domain] = out.get(domain, True) and below_only
        return out

    def dns_within(self, base: str, wildcard: bool, domains: dict[str, bool], s: Settings) -> bool:
        """Some constraint of ``domains`` holds the SAN entry (``hn.dns_permitted``'s rule, by look-up)."""
        suffix = base.lower()
        while True:
            s.tally.comparisons += 1
            below_only = domains.get(suffix)
            if below_only is not None and (wildcard or suffix != base.lower() or not below_only):
                return True
            _, dot, suffix = suffix.partition(".")
            if not dot:
                return False


def _names_outside(f: Facts, index: int, trees: _Trees, s: Settings) -> str | None:
    """A phrase for the first name of ``f`` the constraints forbid, or ``None`` when all are allowed."""
    names: list[x509.GeneralName] = []
    san = f.value(x509.SubjectAlternativeName)
    if san is not None:
        names += list(san)
    if len(f.cert.subject):
        names.append(x509.DirectoryName(f.cert.subject))
        # RFC 5280 §4.2.1.10: e-mail addresses in the subject are rfc822Names for the constraints.
        emails = f.cert.subject.get_attributes_for_oid(NameOID.EMAIL_ADDRESS)
        names += [x509.RFC822Name(a.value) for a in emails if isinstance(a.value, str) and a.value.isascii()]
    if index == 0 and s.policy.allows(L.CN_AS_HOST) and not f.san_values(x509.DNSName):
        # The CN stands in for the host name (Windows): DNS constraints apply to it, or a CA
        # constrained to corp.example could certify any host through a CN (CVE-2025-61727's cousin).
        names += [x509.DNSName(cn) for cn in f.common_names if hn.is_dns_name(cn) and "." in cn]
    leading = trees.leading
    for name in names:
        same = trees.permitted.get(type(name), [])
        against = trees.excluded.get(type(name), [])
        if isinstance(name, x509.DNSName) and (same or against):
            wrong = _dns_outside(name, trees, s)
            if wrong is not None:
                return wrong
            continue
        if same:
            s.tally.comparisons += len(same)
            verdicts = [_inside(name, t, leading, permitted=True) for t in same]
            if None in verdicts:
                return f"the name `{_show(name)}`, which cannot be compared with them (malformed or unsupported)"
            if not any(verdicts):
                return f"`{_show(name)}` outside the permitted names"
        for tree in against:
            s.tally.comparisons += 1
            verdict = _inside(name, tree, leading, permitted=False)
            if verdict is None:
                return f"the name `{_show(name)}`, which cannot be compared with them (malformed or unsupported)"
            if verdict:
                return f"`{_show(name)}` in an excluded subtree ({_show(tree)})"
    return None


def _dns_outside(name: x509.DNSName, trees: _Trees, s: Settings) -> str | None:
    """:func:`_names_outside` for one DNS name, by look-up in the CA's tables."""
    parsed = hn.dns_pattern(name.value)
    if parsed is None:
        return f"the name `{_show(name)}`, which cannot be compared with them (malformed or unsupported)"
    wildcard, base = parsed
    if x509.DNSName in trees.permitted and not trees.dns_within(base, wildcard, trees.dns_permitted, s):
        return f"`{_show(name)}` outside the permitted names"
    excluded = trees.dns_within(base, wildcard, trees.dns_excluded, s) or (
        wildcard and base.lower() in trees.excluded_parents
    )
    if excluded:
        # Name the first excluded subtree that holds it, as the constraints list them.
        for tree in trees.excluded[x509.DNSName]:
            if _inside(name, tree, trees.leading, permitted=False):
                return f"`{_show(name)}` in an excluded subtree ({_show(tree)})"
    return None


def _inside(name: x509.GeneralName, tree: x509.GeneralName, leading: bool, *, permitted: bool) -> bool | None:
    if isinstance(name, x509.DNSName) and isinstance(tree, x509.DNSName):
        parsed = hn.dns_constraint(tree.value, leading_period=leading)
        if parsed is None:
            return None
        check = hn.dns_permitted if permitted else hn.dns_excluded
        return check(name.value, *parsed)
    if isinstance(name, x509.IPAddress) and isinstance(tree, x509.IPAddress):
        return hn.ip_in_subtree(name.value, tree.value)  # type: ignore[arg-type]
    if isinstance(name, x509.RFC822Name) and isinstance(tree, x509.RFC822Name):
        return hn.email_in_subtree(name.value, tree.value)
    if isinstance(name, x509.DirectoryName) and isinstance(tree, x509.DirectoryName):
        return hn.subject_in_subtree(name.value, tree.value)
    return None  # URI, otherName…: not compared, so a constraint on them cannot be honoured


def _show(name: x509.GeneralName) -> str:
    value = name.value
    return printable(value.rfc4514_string() if isinstance(value, x509.Name) else str(value))
