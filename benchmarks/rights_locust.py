"""Locust load for the partners' rights check: ``GET /api/v1/rights/{number}``.

Each simulated partner counter holds one partner key and looks numbers up back to back: 70 %
insured numbers, 20 % care-card numbers, 5 % well-formed numbers nobody holds, 5 % numbers with
a wrong key. Keys and numbers come from the files ``benchmarks/rights_api.py`` writes
(``RIGHTS_BENCH_KEYS``, ``RIGHTS_BENCH_NUMBERS``). Run by ``benchmarks/rights_api.py``; alone::

    locust -f benchmarks/rights_locust.py --headless -u 64 -r 64 -t 60s --host http://127.0.0.1:8765
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

from locust import FastHttpUser, task

_KEYS = Path(os.environ.get("RIGHTS_BENCH_KEYS", "var/bench_rights_keys.txt"))
_NUMBERS = Path(os.environ.get("RIGHTS_BENCH_NUMBERS", "var/bench_rights_numbers.txt"))

KEYS = _KEYS.read_text().split() if _KEYS.exists() else []
NUMBERS = _NUMBERS.read_text().split() if _NUMBERS.exists() else []
_NEXT_KEY = itertools.count()


class PartnerCounter(FastHttpUser):
    """A pharmacy counter: one key, look-ups with no pause (a closed loop)."""

    def on_start(self) -> None:
        token = KEYS[next(_NEXT_KEY) % len(KEYS)]
        self.headers = {"Authorization": f"Bearer {token}"}
        self.numbers = NUMBERS[:]
        random.shuffle(self.numbers)
        self.position = 0

    @task
    def look_up(self) -> None:
        number = self.numbers[self.position % len(self.numbers)]
        self.position += 1
        with self.client.get(
            f"/api/v1/rights/{number}",
            headers=self.headers,
            name="/api/v1/rights/{number}",
            catch_response=True,
        ) as response:
            # 400 is the documented answer to a mistyped number, not a failure of the service.
            if response.status_code in (200, 400):
                response.success()
            else:
                response.failure(f"status {response.status_code}")
