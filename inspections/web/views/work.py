"""My work: the signed-in person's next steps, the home page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from inspections.selectors.work import my_work


@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What this person must do next: one section per kind of work their roles give them."""
    work = my_work(request.user)
    return render(request, "overview/my_work.html", {"work": work})
