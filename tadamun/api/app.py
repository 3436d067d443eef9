"""The one NinjaAPI instance; each app adds its router here."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Tadamun API", version="1", urls_namespace="api")
