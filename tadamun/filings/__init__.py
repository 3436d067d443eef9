"""Declarations by file: uploads stored as received, background checking and acceptance."""
