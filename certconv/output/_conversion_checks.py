"""Whether convert's options fit each other, checked once before any input is read."""

from __future__ import annotations

from collections.abc import Sequence

from ..base._enums import Form, Format, PfxProfile, coerce
from ..base._errors import ConversionError, Option, hint
from ..bundle._select import Selection, check_selection
from ..readers._password import password_bytes
from ._encodings import KEY_VAULT_PEM_DOC

__all__ = ["check_options"]

_ROOT_HINT_OPTIONS = (Option.INCLUDE_ROOT, Option.ONLY, Option.SHA1)


def check_options(
    to: Form | str,
    *,
    format: Format | str | None,  # noqa: A002 - the word users know from --format
    new_password: str | bytes | None,
    legacy: bool,
    include_key: bool,
    include_root: bool = False,
    include_leaf: bool = False,
    profile: PfxProfile | str | None = None,
    only: str | Sequence[str] | None = None,
    sha1: str | Sequence[str] | None = None,
) -> tuple[Form, Format | None, PfxProfile | None, Selection]:
    """The options as members and a :class:`Selection`, once every option is known to fit the others."""
    to = coerce(Form, to, "to")
    fmt = None if format is None else coerce(Format, format, "format")
    pfx_profile = None if profile is None else coerce(PfxProfile, profile, "profile")
    if format is not None and to is not Form.P7B:
        raise ConversionError(
            f"an encoding applies to the p7b form only; the {to} form decides its encoding itself",
            hint=hint("leave {} out", Option.FORMAT),
        )
    if profile is not None and to is not Form.PFX:
        raise ConversionError(
            f"the {profile} profile applies to the pfx form only", hint=hint("leave {} out", Option.PROFILE)
        )
    if legacy and to not in (Form.PFX, Form.TRUSTSTORE):
        raise ConversionError(
            "legacy encryption applies to the pfx and truststore forms only", hint=hint("leave {} out", Option.LEGACY)
        )
    if legacy and pfx_profile is PfxProfile.APPSERVICE:
        raise ConversionError(
            "the appservice profile already uses 3DES and a SHA-1 MAC", hint=hint("drop {}", Option.LEGACY)
        )
    if include_key and to in (Form.DER, Form.P7B, Form.CHAIN, Form.TRUSTSTORE, Form.KEYVAULT):
        why = "always holds the private key" if to is Form.KEYVAULT else "holds no private key"
        raise ConversionError(
            f"the {to} form {why}: the private key is added only to the pem and fullchain forms",
            hint=hint("leave {} out", Option.INCLUDE_KEY),
        )
    if include_root and to not in (Form.FULLCHAIN, Form.CHAIN, Form.PFX, Form.KEYVAULT):
        why = "trusts the roots already" if to is Form.TRUSTSTORE else "writes no chain"
        raise ConversionError(
            f"the root is added only to the fullchain, chain, pfx and keyvault forms; the {to} form {why}",
            hint=hint("leave {} out ({} and {} pick certificates for any form)", *_ROOT_HINT_OPTIONS),
        )
    if include_leaf and to is not Form.TRUSTSTORE:
        raise ConversionError(
            "the leaf is added only to the truststore form (other forms write the leaf already)",
            hint=hint("leave {} out", Option.INCLUDE_LEAF),
        )
    password_bytes(new_password, what="new password")  # refused before any input is read
    if new_password is not None and to is Form.KEYVAULT:
        raise ConversionError(
            "Key Vault's PEM import takes the private key unencrypted, so the keyvault form takes no new password "
            f"({KEY_VAULT_PEM_DOC}); for a password-protected file use the pfx form",
            hint=hint("leave {} out", Option.NEW_PASSWORD),
        )
    if new_password is not None and to not in (Form.PFX, Form.TRUSTSTORE) and not include_key:
        raise ConversionError(
            f"a new password protects a private key, and the {to} form writes none",
            hint=hint("leave {} out, or add {} for PEM", Option.NEW_PASSWORD, Option.INCLUDE_KEY),
        )
    return to, fmt, pfx_profile, check_selection(only, sha1)
