"""The registry: agencies, employers, insured persons and the employment links between them.

``identifiers`` and ``labels`` are pure Python; ``services`` writes, ``selectors`` reads.
"""
