"""The use cases, one package per capability (README "The house by capability").

Beside the packages sits the shared kernel every capability uses: audit.py (the history),
transaction.py (one use case, one transaction) and settings.py (policy values). wiring.py is where
the capabilities meet; only create_app imports it.
"""
