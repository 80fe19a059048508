"""The one exception hierarchy of certconv.

Every error certconv raises on purpose derives from :class:`CertconvError`, so a
script needs a single ``except``::

    CertconvError                  base; ``path`` names the input or output involved
    ├── InputError                 an input could not be turned into certificates
    │   ├── UnsupportedFormatError not a certificate format certconv knows
    │   ├── CorruptInputError      a known format, but damaged (names the block)
    │   ├── NoCertificateError     readable, but holds no certificate
    │   ├── NoEndEntityError       only CA certificates where a leaf is needed (verify, fetch)
    │   ├── InputTooLargeError     larger than the configured limit
    │   ├── UnsafeInputError       asks for absurd work (iteration counts, nesting, counts)
    │   └── PasswordError          password problems: unusable (NUL, over 64 KiB) or not opening the PKCS#12/keystore
    │       ├── PasswordRequiredError  encrypted and no password was given
    │       └── WrongPasswordError     a password was given and does not open it
    ├── ConversionError            the inputs cannot be written in the form asked for
    │   ├── KeyMismatchError       the private key does not belong to the certificate
    │   └── NewPasswordRequiredError  a private key would be written unprotected
    ├── NetworkError               a server could not be asked for its certificates (fetch)
    │   ├── ConnectionFailedError  name not resolved, connection refused or unreachable
    │   ├── NetworkTimeoutError    no answer within the timeout
    │   └── NotTLSError            the server answered, but not with a TLS handshake
    ├── TargetError                the certificates cannot serve the Azure target or snippet asked for
    ├── UsageError                 an option the call does not take (also a ValueError); the CLI exits 2
    └── OutputError                nothing could be written, and nothing was
        ├── OutputExistsError      a file would be overwritten (use ``force``)
        │   └── OutputBusyError    another certconv run is writing into the same folder
        └── UnsafeOutputError      the output folder is unusable or unsafe

Messages are one line, say what happened and what to do next, and never contain
a password or key material.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from ._face import publish

__all__ = [
    "CertconvError",
    "ConnectionFailedError",
    "ConversionError",
    "CorruptInputError",
    "Hint",
    "InputError",
    "InputTooLargeError",
    "KeyMismatchError",
    "NetworkError",
    "NetworkTimeoutError",
    "NewPasswordRequiredError",
    "NoCertificateError",
    "NoEndEntityError",
    "NotTLSError",
    "Option",
    "OutputBusyError",
    "OutputError",
    "OutputExistsError",
    "PasswordError",
    "PasswordRequiredError",
    "TargetError",
    "UnsafeInputError",
    "UnsafeOutputError",
    "UnsupportedFormatError",
    "UsageError",
    "WrongPasswordError",
    "hint",
    "keyword",
]


class Option(enum.StrEnum):
    """A knob the caller can turn, named as the library's keyword argument.

    A :class:`Hint` names options, never spellings: the library words them as
    keywords (``force=True``) and the command line as its flags (``--force``),
    so a script author is not told to use a flag. The CLI keeps a spelling for
    every member (a test checks it).
    """

    PASSWORD = "password"  # noqa: S105 - the name of an argument, not a password
    NEW_PASSWORD = "new_password"  # noqa: S105
    FORCE = "force"
    MAX_INPUT_SIZE = "max_input_size"
    FORMAT = "format"
    TARGET = "target"
    EMIT = "emit"
    TO = "to"
    INCLUDE_KEY = "include_key"
    INCLUDE_ROOT = "include_root"
    INCLUDE_LEAF = "include_leaf"
    LEGACY = "legacy"
    PROFILE = "profile"
    ONLY = "only"
    SHA1 = "sha1"
    OUT = "out"
    CA = "ca"
    HOST = "host"
    PEER = "peer"
    POLICY = "policy"
    PURPOSE = "purpose"
    AT = "at"
    TIMEOUT = "timeout"
    COMPLETE = "complete"
    SNI = "sni"
    PROXY = "proxy"
    CLIENT_CERTIFICATE = "client_certificate"
    NO_PASSWORD = "no_password"  # noqa: S105
    IPS = "ips"
    DAYS = "days"
    KEEP_CA_KEYS = "keep_ca_keys"


# How the library words an option in a hint: as the keyword a script passes.
_KEYWORDS: dict[Option, str] = {
    Option.PASSWORD: "password=",
    Option.NEW_PASSWORD: "new_password=",
    Option.FORCE: "force=True",
    Option.INCLUDE_KEY: "include_key=True",
    Option.INCLUDE_ROOT: "include_root=True",
    Option.INCLUDE_LEAF: "include_leaf=True",
    Option.LEGACY: "legacy=True",
    Option.COMPLETE: "complete=True",
    Option.NO_PASSWORD: "no_password=True",
    Option.KEEP_CA_KEYS: "keep_ca_keys=True",
}


@dataclass(frozen=True, slots=True)
class Hint:
    """What to do next, with the options that do it left unspelt.

    Attributes:
        template: Literal advice with one ``{}`` per option, e.g.
            ``"raise it with {}"``; never text from an input.
        options: The options, in the template's order.
    """

    template: str
    options: tuple[Option, ...]

    def words(self, spell: Callable[[Option], str] | None = None) -> str:
        """The advice with each option spelt by ``spell`` (default: as a keyword argument)."""
        spell = spell or keyword
        return self.template.format(*(spell(option) for option in self.options))


def hint(template: str, *options: Option) -> Hint:
    """``hint("raise it with {}", Option.MAX_INPUT_SIZE)``: a :class:`Hint` in one call."""
    return Hint(template, options)


def keyword(option: Option) -> str:
    """How the library spells ``option`` in a message: ``force=True``, ``max_input_size=``."""
    return _KEYWORDS.get(option, f"{option.value}=")


class CertconvError(Exception):
    """Base of every error certconv raises on purpose.

    Attributes:
        path: The input or output the error is about (``"<stdin>"``, a file
            name, a folder), or ``None`` when it is about no single one.
        detail: The message without the path prefix and the hint.
        hint: What to do next, naming options rather than spelling them
            (:meth:`message` spells them), or ``None``.
    """

    def __init__(self, detail: str, *, path: str | None = None, hint: Hint | None = None) -> None:
        self.path = path
        self.detail = detail
        self.hint = hint
        super().__init__(self.message())

    def message(self, spell: Callable[[Option], str] | None = None) -> str:
        """The one-line message, options spelt by ``spell`` (the CLI passes its flags)."""
        text = f"{self.path}: {self.detail}" if self.path else self.detail
        return f"{text} ({self.hint.words(spell)})" if self.hint else text


class InputError(CertconvError):
    """An input could not be turned into certificates."""


class UnsupportedFormatError(InputError):
    """The input is not PEM, DER, PKCS#7, PKCS#12 or a Java keystore with certificates."""


class CorruptInputError(InputError):
    """The input is in a known format but damaged; the message names where."""


class NoCertificateError(InputError):
    """The input was read but holds no certificate."""


class NoEndEntityError(InputError):
    """The inputs hold CA certificates only, where an end-entity (leaf) certificate is needed: ``verify``."""


class InputTooLargeError(InputError):
    """The input is larger than the configured ``max_input_size``."""


class UnsafeInputError(InputError):
    """The input asks for more work than certconv allows and was refused unopened.

    PKCS#12 iteration counts over the bound, absurd ASN.1 nesting, more
    certificates or PEM blocks than any real bundle holds (see docs/security.md).
    """


class PasswordError(InputError):
    """A PKCS#12 file or encrypted key could not be opened with the password given (or none).

    Also a password no PKCS#12 or OpenSSL code can take, refused before it is
    used: one holding a NUL character, or longer than 64 KiB (either to open an
    input or as ``new_password``).
    """


class PasswordRequiredError(PasswordError):
    """The PKCS#12 file is password-protected and no password was given."""


class WrongPasswordError(PasswordError):
    """A password was given but it does not open the PKCS#12 file (or verify the Java keystore)."""


class ConversionError(CertconvError):
    """The inputs were read but cannot be written in the form asked for (``certconv convert``)."""


class KeyMismatchError(ConversionError):
    """The private key given does not belong to the certificate it would be stored with."""


class NewPasswordRequiredError(ConversionError):
    """A private key would be written without a password; give a new one to protect it."""


class NetworkError(CertconvError):
    """A server could not be asked for its certificates; ``path`` is ``tls://host:port``."""


class ConnectionFailedError(NetworkError):
    """The host name does not resolve, or the connection was refused or is unreachable."""


class NetworkTimeoutError(NetworkError):
    """The server did not complete the connection or the handshake within the timeout."""


class NotTLSError(NetworkError):
    """The server answered, but not with a TLS handshake (a plain HTTP or other port)."""


class TargetError(CertconvError):
    """The certificates cannot serve the Azure target or snippet asked for.

    For example a snippet would replace APIM's CA list with an empty one, or
    list more than the 10 CA certificates APIM accepts. Nothing is written.
    """


class OutputError(CertconvError):
    """Output could not be written; the output folder is left as it was."""


class OutputExistsError(OutputError):
    """A file to be written exists already and ``force`` was not given."""


class OutputBusyError(OutputExistsError):
    """Another certconv run is writing into the same folder: wait for it, then try again.

    A subclass of :class:`OutputExistsError` because, like it, it means this run
    did not write and the folder holds what someone else wrote.
    """


class UnsafeOutputError(OutputError):
    """The output folder is not a folder, or writing there would be unsafe."""


class UsageError(CertconvError, ValueError):
    """An argument the call does not take: an unknown format, target, purpose or language.

    Also a :class:`ValueError`, as Python's own functions raise for bad arguments.
    """


publish(globals())
