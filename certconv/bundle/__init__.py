"""Stage 4, the bundle: what a set of certificates is. Roles, chains in order, expiry, selection.

``_chain`` (classify roles, choose and order chains, warn; no I/O), ``_expiry`` (which
certificates expire within a number of days), ``_select`` (which certificates a conversion
uses, by role and by SHA-1). Stands on :mod:`certconv.trust`, :mod:`certconv.readers`,
:mod:`certconv.pki` and :mod:`certconv.base`.
"""
