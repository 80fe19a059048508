"""Stage 7, the network: everything that opens a socket, and what a server's answer means.

``_sockio`` (send and receive within a deadline), ``_proxy`` (which HTTP proxy, and its
``CONNECT``), ``_net`` (name lookup and connect with one deadline), ``_http`` (one bounded
certificate download), ``_aia`` (follow caIssuers URLs to missing issuers), ``_tls`` (the
chain a TLS server sends), ``_probe`` (which TLS versions and suites a backend accepts),
``_served`` (what the served chain means for APIM). Loaded only by ``fetch``, ``verify``
and ``complete=True``: ``import certconv`` never imports this package. Stands on
:mod:`certconv.azure` and the stages below it.
"""
