"""The verified floor: the floor (benchmarks/floor.py) plus every signature checked, as certconv does.

Load with ``cryptography``, find each certificate's issuers through an index of
subject names (never by comparing all pairs), check each signature with the
issuer's key (``verify_directly_issued_by``; the self-signature of a certificate
that names itself), write one DER file per certificate. No classification, no
chain choice, no manifest, no CLI framework: the least a Python program can do
that checks what certconv checks.

Usage: python benchmarks/floor_verified.py INPUT OUT_DIR [PASSWORD_FILE]
"""

import os
import sys
from collections import defaultdict

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import Encoding


def main() -> None:
    source, out = sys.argv[1], sys.argv[2]
    with open(source, "rb") as handle:
        data = handle.read()
    if len(sys.argv) > 3:
        from cryptography.hazmat.primitives.serialization import pkcs12

        with open(sys.argv[3], "rb") as handle:
            password = handle.read().splitlines()[0]
        loaded = pkcs12.load_pkcs12(data, password)
        certs = [c.certificate for c in ([loaded.cert] if loaded.cert else []) + loaded.additional_certs]
    else:
        certs = x509.load_pem_x509_certificates(data)
    by_subject = defaultdict(list)
    for cert in certs:
        by_subject[cert.subject].append(cert)
    linked = 0
    for cert in certs:
        for issuer in by_subject.get(cert.issuer, ()):
            try:
                cert.verify_directly_issued_by(issuer)
                linked += 1
            except (ValueError, TypeError, InvalidSignature):
                pass
    os.makedirs(out, exist_ok=True)
    for i, cert in enumerate(certs):
        with open(os.path.join(out, f"cert-{i:05d}.cer"), "wb") as handle:
            handle.write(cert.public_bytes(Encoding.DER))


main()
