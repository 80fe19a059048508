"""Stage 6, Azure: which files each target takes, where they go, and the text that says so.

Internal: the public names are re-exported by :mod:`certconv` (``plan_split``,
``SplitPlan``, ``TARGETS``…). This package stays empty so that any module may
import :mod:`certconv.azure._facts` without loading the planner.

=====================  ====================================================================
module                 what it holds
=====================  ====================================================================
``_facts``             the facts: targets, stores, the 10-certificate limit, portal places,
                       ARM/REST settings, snippet files and API version (data only)
``_checks``            the bundle warnings these facts give (``apim-ca-limit``)
``_plan``              :func:`plan_split`: a bundle and options in, a :class:`SplitPlan` out
``_chain_plan``        :class:`ChainPlan`: a new chain's split plan with the backend's files
``_snippets``          the infrastructure-as-code snippets (Bicep, ARM, Terraform…)
``_guide``             ``UPLOAD.md``: one renderer over the message tables of ``_guide_text``
``_guide_text``        those tables, English and Simplified Chinese
``_apim_tls``          what APIM's backend side offers in a TLS handshake (one table)
``_import_scripts``    scripts that import a converted file into Azure (``--emit``)
=====================  ====================================================================
"""
