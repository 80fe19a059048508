"""Stage 2, the readers: bytes in, certificates (and private keys) out, for every input format.

PEM (with BOMs and code pages), DER, PKCS#7, PKCS#12 (work bounds checked before any key
derivation), JKS/JCEKS keystores, passwords and password files, and bounded opening of
paths (regular files and pipes). Nothing is classified here: that is :mod:`certconv.bundle`.
Stands on :mod:`certconv.pki` and :mod:`certconv.base`.
"""
