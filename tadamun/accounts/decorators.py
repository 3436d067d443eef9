"""Access checks for pages of every app.

``employer_required`` resolves ``employer_id`` from the URL through
:func:`tadamun.accounts.selectors.employer_for_user` and answers 404 when the signed-in user may
not act for that employer (no access, ended delegation, unknown id: the same answer, so nobody
learns which employers exist). ``staff_required`` lets only agency staff in and hands the view
their :class:`~tadamun.accounts.models.StaffProfile` (with ``agency``). A visitor who is not
signed in is sent to the sign-in page, which asks for both factors.

Usage::

    @employer_required
    def dashboard(request, employer): ...            # URL: <int:employer_id>/

    @employer_required_for(Role.OWNER)
    def access(request, employer): ...

    @staff_required
    def queue(request, staff): ...                   # staff.agency is the agency

    class Dashboard(EmployerRequiredMixin, TemplateView): ...   # self.employer
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase

from tadamun.accounts import selectors
from tadamun.accounts.models import StaffProfile
from tadamun.registry.models import Employer

ViewFunc = Callable[..., HttpResponseBase]


def employer_required_for(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """A decorator: the view receives ``employer=`` (instead of ``employer_id``) when the user
    holds an active membership in one of ``roles`` (any role when none is given), else 404."""

    def decorate(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            employer_id = kwargs.pop("employer_id")
            employer = selectors.employer_for_user(
                user=request.user, employer_id=employer_id, roles=roles or None
            )
            if employer is None:
                raise Http404("no such employer")
            return view(request, *args, employer=employer, **kwargs)

        return wrapper

    return decorate


#: Any active member of the employer (owner or accountant).
employer_required: Callable[[ViewFunc], ViewFunc] = employer_required_for()


def staff_required(view: ViewFunc) -> ViewFunc:
    """The view receives ``staff=`` (a StaffProfile with its agency) for agency staff of this
    fund; others get 404 (signed in) or the sign-in page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = selectors.staff_profile_for_user(user=request.user)
        if staff is None:
            raise Http404("not agency staff")
        return view(request, *args, staff=staff, **kwargs)

    return wrapper


class EmployerRequiredMixin:
    """For class-based views: ``self.employer`` is set from ``employer_id`` (404 otherwise)."""

    employer_roles: tuple[str, ...] = ()
    employer: Employer

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        employer = selectors.employer_for_user(
            user=request.user,
            employer_id=kwargs.get("employer_id", ""),
            roles=self.employer_roles or None,
        )
        if employer is None:
            raise Http404("no such employer")
        self.employer = employer
        parent: Any = super()
        response: HttpResponse = parent.dispatch(request, *args, **kwargs)
        return response


class StaffRequiredMixin:
    """For class-based views: ``self.staff`` is the StaffProfile (404 for others)."""

    staff: StaffProfile

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = selectors.staff_profile_for_user(user=request.user)
        if staff is None:
            raise Http404("not agency staff")
        self.staff = staff
        parent: Any = super()
        response: HttpResponse = parent.dispatch(request, *args, **kwargs)
        return response
