"""Stage 1, the values: certificates, bundles and chains as frozen objects, and the X.509 primitives they use.

``_model`` (Certificate, Bundle, Chain, Role), ``_x509`` (one copy of each certificate
primitive: extensions, signatures, keys, validity), ``_names`` (the issuer-matching key,
the label people read, safe file names), ``_der`` (just enough ASN.1 to tell formats apart).
Stands on :mod:`certconv.base` only.
"""
