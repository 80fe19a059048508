"""The one exception hierarchy of certconv.

Every error certconv raises on purpose derives from :class:`CertconvError`, so a
script needs a single ``except``::

    CertconvError                  base; ``path`` names the input or output involved
    ├── InputError                 an input could not be turned into certificates
    │   ├── UnsupportedFormatError not a certificate format certconv knows
    │   ├── CorruptInputError      a known format, but damaged (names the block)
    │   ├── NoCertificateError     readable, but holds no certificate
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

__all__ = [
    "CertconvError",
    "ConnectionFailedError",
    "ConversionError",
    "CorruptInputError",
    "InputError",
    "InputTooLargeError",
    "KeyMismatchError",
    "NetworkError",
    "NetworkTimeoutError",
    "NewPasswordRequiredError",
    "NoCertificateError",
    "NotTLSError",
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
]


class CertconvError(Exception):
    """Base of every error certconv raises on purpose.

    Attributes:
        path: The input or output the error is about (``"<stdin>"``, a file
            name, a folder), or ``None`` when it is about no single one.
        detail: The message without the path prefix.
    """

    def __init__(self, detail: str, *, path: str | None = None) -> None:
        self.path = path
        self.detail = detail
        super().__init__(f"{path}: {detail}" if path else detail)


class InputError(CertconvError):
    """An input could not be turned into certificates."""


class UnsupportedFormatError(InputError):
    """The input is not PEM, DER, PKCS#7, PKCS#12 or a Java keystore with certificates."""


class CorruptInputError(InputError):
    """The input is in a known format but damaged; the message names where."""


class NoCertificateError(InputError):
    """The input was read but holds no certificate."""


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
