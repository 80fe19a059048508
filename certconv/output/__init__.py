"""Stage 5, output: the files certconv writes, as values first, then written all or nothing.

``_forms`` / ``_pfx_forms`` (the bytes of each form: der, pem, p7b, fullchain, keyvault,
pfx, truststore), ``_truststore`` (certificate-only PKCS#12 that Java trusts),
``_conversion`` / ``_convert_options`` (what a conversion writes, and whether its options
fit), ``_manifest`` (what a split writes and ``manifest.json``), ``_write`` / ``_atomic``
(into one folder, all or nothing, against rivals, ``kill -9`` and Windows). Stands on
:mod:`certconv.bundle` and the stages below it.
"""
