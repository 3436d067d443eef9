"""The last number issued in each series and year."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    series = models.CharField(max_length=40)  # e.g. "declaration-receipt:ma-cnss"
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["series", "year"], name="numbering_counter_unique"),
        )

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last}"
