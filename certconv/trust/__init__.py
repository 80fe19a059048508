"""Stage 3, trust: will a client trust this certificate? Path search, policy, rules, names, CA stores.

=====================  ======================================================================
module                 what it holds
=====================  ======================================================================
``_graph``             the issuer graph: one node per certificate, linked to its signers
``_path``              every candidate path to a trust anchor, the best valid one kept
``_policy``            failure codes, the APIM and strict policies and their leniencies
``_rules``             the rules a whole path must meet, as problems worded for APIM's users
``_cert_rules``        the rules for each certificate of a path
``_name_rules``        host names (RFC 6125) and name constraints (RFC 5280) in a path
``_hostname``          matching a host name and name constraints against certificate names
``_new_names``         the host names, addresses and client name a new certificate may hold
``_ca_stores``         the public and system CA stores of ``verify --ca public|system``
``_result``            what :func:`certconv.verify` returns, its JSON and its text
=====================  ======================================================================

Stands on :mod:`certconv.readers`, :mod:`certconv.pki` and :mod:`certconv.base`.
"""
