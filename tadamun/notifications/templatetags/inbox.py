"""``{% inbox_link %}``: the inbox link with its unread count, for the site's header."""

from __future__ import annotations

from typing import Any

from django import template

from tadamun.notifications.selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_inbox_link.html", takes_context=True)
def inbox_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"signed_in": bool(user and user.is_authenticated), "unread": unread_count(user=user)}
