"""Fixtures every test package can use."""

from __future__ import annotations

from tests.support.mail import mailbox

__all__ = ["mailbox"]
