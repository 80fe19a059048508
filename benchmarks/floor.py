"""The floor: the least a Python program can do to split a bundle into DER files.

Load with ``cryptography``, write one DER file per certificate. No format
sniffing, no classification, no signature check, no CLI framework, no fsync.

Usage: python benchmarks/floor.py INPUT OUT_DIR [PASSWORD_FILE]
(a password file means INPUT is PKCS#12; otherwise it is PEM)
"""

import os
import sys

from cryptography import x509
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
    os.makedirs(out, exist_ok=True)
    for i, cert in enumerate(certs):
        with open(os.path.join(out, f"cert-{i:05d}.cer"), "wb") as handle:
            handle.write(cert.public_bytes(Encoding.DER))


main()
