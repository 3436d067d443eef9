"""Filters for dossier pages: the kind's name and what is expected next, in the page's
language."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from tadamun.dossiers.kinds import KINDS
from tadamun.dossiers.models import Dossier, DossierStatus, EventKind
from tadamun.dossiers.services import expected_text

register = template.Library()


def _language() -> str:
    return (get_language() or "fr").split("-")[0]


@register.filter
def kind_label(kind: str) -> str:
    spec = KINDS.get(kind)
    return spec.label(_language()) if spec is not None else kind


@register.filter
def expected(dossier: Dossier) -> str:
    return expected_text(dossier=dossier, language=_language())


@register.filter
def status_label(status: str) -> str:
    return str(DossierStatus(status).label) if status in DossierStatus.values else status


@register.filter
def event_label(kind: str) -> str:
    return str(EventKind(kind).label) if kind in EventKind.values else kind
