"""Stage 5, output: the files certconv writes, as values first, then written all or nothing.

=========================  ===================================================================
module                     what it holds
=========================  ===================================================================
``_encodings``             the bytes of a certificate or chain in each form: der, pem, p7b,
                           fullchain, chain, keyvault
``_pkcs12_write``          the PKCS#12 forms: pfx (with a key, certificate-only, App Service)
                           and truststore
``_java_truststore``       certificate-only PKCS#12 that Java reads as trusted entries
``_conversion``            :class:`certconv.Conversion`, what one conversion wrote
``_conversion_checks``     whether convert's options fit each other, checked before reading
``_file_names``            the safe, unique ``.cer`` name of each certificate
``_manifest``              what a split writes, and ``manifest.json``
``_write`` / ``_atomic``   into one folder, all or nothing, against rivals, ``kill -9``, Windows
=========================  ===================================================================

Stands on :mod:`certconv.bundle` and the stages below it.
"""
