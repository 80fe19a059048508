"""What ``certconv create`` prints: split's summary of the CA files, then what the backend (or APIM) takes."""

from __future__ import annotations

from ..azure._chain_plan import ChainPlan
from ..base._console import fit, printable
from ..base._dates import iso_day
from ..base._face import publish
from ._split import render_split

__all__ = ["render_chain"]


def render_chain(plan: ChainPlan, *, encoding: str | None = None) -> str:
    """The console summary of a new chain.

    For a server certificate: what a split of the chain prints (the ``.cer`` files,
    where each goes in APIM), then the backend's files. For a client certificate:
    the files, where APIM takes the PFX and what the backend trusts.
    ``encoding`` is the encoding the text will be written in (the CLI passes its stdout's).
    The plan's ``notes`` are not in it (the CLI prints them on stderr, as for a split).
    """
    opts = plan.options
    leaf = plan.leaf
    protection = (
        "protected by the password: PFX with AES-256 and a SHA-256 MAC, PKCS#8 keys with AES-256"
        if opts.protected
        else "NO password: the PFX and the keys are in the clear"
    )
    names = ", ".join([*opts.hosts, *map(str, opts.ips)]) if opts.client is None else f"client {opts.client}"
    head = (
        f"New private chain ({opts.key}) for {printable(names)}: {leaf.role.value} valid until "
        f"{iso_day(leaf.not_after)}, SHA-1 {leaf.sha1}"
    )
    kind = "client" if opts.client else "server"
    # Said only where the mode read back after writing keeps others out (never on Windows).
    secret = "mode 0600" if plan.owner_only else "holds a private key"
    cas = plan.ca_key_files
    rows = [
        (plan.pfx, f"PFX: {kind} certificate, intermediate, private key ({secret})"),
        (plan.fullchain, f"PEM: {kind} certificate, then intermediate"),
        (plan.chain, "PEM: intermediate alone (for servers that take the chain apart)"),
        (plan.key_file, f"PEM: its private key ({secret})"),
        *((name, f"PEM: CA private key, issues more certificates: keep it safe ({secret})") for name in cas),
    ]
    column = max(len(name) for name, _ in rows)
    files = [f"  {name.ljust(column)}  {what}" for name, what in rows]
    if opts.client is None:
        lines = [head, "", render_split(plan.manifest), "", f"For the backend ({protection}):"]
        lines += files
        lines.append("Serve the PFX, or the full chain and key; the root stays with APIM.")
    else:
        with_password = " with its password" if opts.protected else ""
        root = next(e.file for e in plan.manifest.entries if e.certificate == plan.root)
        lines = [head, "", f"Files in {printable(opts.out)} ({protection}):"]
        lines += files
        lines += [
            f"Upload {plan.pfx} to APIM → Security → Certificates → + Add{with_password};",
            "APIM sends it where the authentication-certificate policy or the backend's client certificate names it.",
            f"Give the backend {root} to trust (and the intermediate, if it does not take it from the client).",
            "UPLOAD.md puts the CAs in APIM's CA certificates: needed only where APIM validates clients of this CA.",
        ]
    if not plan.ca_key_files:
        lines.append("The CA keys were not kept: no more certificates can be issued under this root.")
    return fit("\n".join(lines), encoding)


publish(globals())
