"""Tadamun: the digital services of a national social security fund."""

__version__ = "0.1.0"
