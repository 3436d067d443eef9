"""Employer fixtures shared with the declarations tests (a Moroccan employer and its owner)."""

from tests.declarations.conftest import (  # noqa: F401 - pytest finds fixtures by name
    agency,
    employer,
    hire,
    other_employer,
    user,
)
