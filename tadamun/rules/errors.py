"""Errors of the rules library. Each message names the value at fault and the rule it breaks."""

from __future__ import annotations


class RulesError(Exception):
    """Base of every error the rules library raises on purpose."""


class PackError(RulesError):
    """A parameter pack is malformed: names the file and the key."""

    def __init__(self, file: str, key: str, message: str) -> None:
        self.file = file
        self.key = key
        self.message = message
        where = f"{file}: {key}" if key else file
        super().__init__(f"{where}: {message}")


class UnknownPack(RulesError):
    """No pack (regime) by that id."""


class UnknownParameter(RulesError):
    """A parameter path that the pack does not define."""


class UnknownBranch(UnknownParameter):
    """A branch that the regime does not define (its message lists the known branches)."""


class NotInForce(RulesError):
    """A parameter has no value at the date asked (before its first date, or ended)."""


class InvalidAmount(RulesError):
    """An amount that is not a valid number of the currency (too many decimals, not a number...)."""


class InvalidBase(RulesError):
    """A declared base that is negative, non-numeric or beyond what the engine accepts."""


class PeriodOutOfRange(RulesError):
    """A period before the first date of a pack's parameters (or after they ended)."""


class UnknownActivityClass(RulesError):
    """A work-accident activity class that the regime does not define, or a missing one."""


class UnknownVariant(RulesError):
    """A variant (alternative reading) that the pack does not define."""


class InvalidHistory(RulesError):
    """A career history that cannot be read: names the line or field."""


class InvalidDate(RulesError):
    """A date or period that cannot be read, or dates in an impossible order."""
