"""Pages of data in and out: the round report (HTML, PDF), calendar feeds, the admin's import page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from inspections.exchange.blank import template_csv, template_xlsx
from inspections.exchange.calendar import feed_for_user
from inspections.exchange.columns import COLUMNS
from inspections.exchange.problems import ImportRejected
from inspections.exchange.report_pdf import round_report_pdf as render_pdf
from inspections.models import CalendarFeed
from inspections.selectors.report import round_report as build_round_report
from inspections.services.calendar_feeds import (
    calendar_feed_get_or_create,
    calendar_feed_regenerate,
    calendar_feed_revoke,
)
from inspections.services.imports import units_import
from workflows.errors import NotFound


def _report_or_404(request: HttpRequest, pk: int):
    try:
        return build_round_report(user=request.user, pk=pk)
    except NotFound as error:
        raise Http404 from error


@require_safe
@login_required
def round_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The round's summary for the leading group, printable from the browser."""
    return render(request, "exchange/round_report.html", {"report": _report_or_404(request, pk)})


@require_safe
@login_required
def round_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same summary as a PDF, to print or pass on."""
    report = _report_or_404(request, pk)
    pdf = render_pdf(report, printed_by=str(request.user))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"round-{report.round.pk}-report-{report.today:%Y%m%d}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Create, see, and revoke the signed-in person's private calendar address."""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "create":
            calendar_feed_get_or_create(user=request.user)
            messages.success(request, _("Your calendar address is ready."))
        elif action == "regenerate":
            calendar_feed_regenerate(user=request.user)
            messages.success(
                request, _("The old address no longer works. Subscribe to the new one below.")
            )
        elif action == "revoke":
            calendar_feed_revoke(user=request.user)
            messages.success(request, _("Your calendar address is revoked."))
        return redirect("calendar_settings")
    feed = CalendarFeed.objects.filter(user=request.user).first()
    address = (
        request.build_absolute_uri(reverse("calendar_feed", args=[feed.token])) if feed else ""
    )
    context = {
        "feed": feed,
        "address": address,
        "webcal": "webcal://" + address.split("://", 1)[1] if address else "",
    }
    return render(request, "exchange/calendar_settings.html", context)


@never_cache
@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The feed calendar programs fetch: no session, the token is the key; revoked means 404."""
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        raise Http404
    response = HttpResponse(feed_for_user(feed.user), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    # The address is a secret: keep it out of shared caches and of other sites' referrers.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


# The admin's import page (UnitAdmin.get_urls routes here) -------------------------------------

MAX_IMPORT_BYTES = 20 * 1024 * 1024


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_lazy("Spreadsheet (.xlsx or .csv)"),
        help_text=_lazy("CSV may be UTF-8 (with or without BOM) or GB18030."),
    )


def units_import_page(request: HttpRequest, model_admin) -> HttpResponse:
    """Upload a file; every problem is listed with its row and column, or the counts of the import."""
    if not request.user.has_perm("inspections.import_units"):
        raise PermissionDenied
    problems, rejected, counts = [], "", None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            try:
                counts = units_import(data=upload.read(), filename=upload.name, actor=request.user)
            except ImportRejected as error:
                rejected, problems = str(error.message), error.problems
            else:
                messages.success(
                    request,
                    _(
                        "Imported %(rows)d rows: %(created)d units created, %(updated)d updated; "
                        "%(users)d people created, %(users_updated)d updated."
                    )
                    % {
                        "rows": counts.rows,
                        "created": counts.units_created,
                        "updated": counts.units_updated,
                        "users": counts.users_created,
                        "users_updated": counts.users_updated,
                    },
                )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Import units and people"),
        "form": form,
        "problems": problems,
        "rejected": rejected,
        "counts": counts,
        "columns": COLUMNS,
    }
    return render(request, "exchange/admin/units_import.html", context)


def units_import_template(request: HttpRequest, model_admin, kind: str = "") -> HttpResponse:
    """The blank file: the workbook with both sheets, or one table as CSV."""
    if not request.user.has_perm("inspections.import_units"):
        raise PermissionDenied
    if kind:
        if kind not in COLUMNS:
            raise Http404
        response = HttpResponse(template_csv(kind), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{kind}.csv"'
        return response
    response = HttpResponse(
        template_xlsx(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="import-units-and-people.xlsx"'
    return response
