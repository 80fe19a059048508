"""Stage 3, trust: will a client trust this certificate? Path search, policy, rules, names, stores.

``_graph`` (the issuer graph), ``_path`` (every candidate path to a trust anchor, the best
kept), ``_verify_policy`` (failure codes, the APIM and strict policies), ``_verify_rules`` /
``_verify_cert`` / ``_verify_names`` / ``_hostname`` (the rules a path must meet),
``_stores`` (public and system trust stores for ``verify --ca``), ``_verify_result`` (what
:func:`certconv.verify` returns). Stands on :mod:`certconv.readers`, :mod:`certconv.pki`
and :mod:`certconv.base`.
"""
