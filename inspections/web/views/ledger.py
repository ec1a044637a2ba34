"""The rectification ledger (整改台账): filter, sort, page, and export exactly what is shown."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from inspections.exchange.ledger import COLUMNS, ledger_csv, ledger_rows, ledger_xlsx
from inspections.models import ItemState
from inspections.selectors.ledger import (
    DEFAULT_SORT,
    LedgerFilters,
    ledger_items,
    ledger_rounds,
    ledger_teams,
    ledger_units,
)
from inspections.steps.forms import date_input
from workflows.models import Colour

PAGE_SIZE = 50
# Units or teams listed as options when no round narrows them: beyond this (a province's
# thousands), the person chooses a round first, so a page does not carry 20,000 options.
LISTED_AT_MOST = 300

SORT_CHOICES = [
    ("unit", _("Unit (A to Z)")),
    ("-unit", _("Unit (Z to A)")),
    ("due", _("Due date, earliest first")),
    ("-due", _("Due date, latest first")),
    ("colour", _("Most urgent first")),
    ("state", _("State")),
    ("responsible", _("Responsible person")),
]


class ShownChoiceIterator(forms.models.ModelChoiceIterator):
    """Lists the field's `shown` rows when set: the choices offered, not all that validate."""

    def __init__(self, field):
        super().__init__(field)
        if field.shown is not None:
            self.queryset = field.shown


class RoundScopedChoiceField(forms.ModelChoiceField):
    """A unit or team: any the person may see is accepted, but once a round is chosen only that
    round's are listed, so a round of 100 units does not send all 20,000 as options."""

    iterator = ShownChoiceIterator
    shown = None

    def show(self, queryset) -> None:
        self.shown = queryset
        self.widget.choices = self.choices


class TeamChoiceField(RoundScopedChoiceField):
    def label_from_instance(self, obj) -> str:
        # Teams are numbered within a round, so the round tells 第一巡视组 from 第一巡视组.
        return f"{obj.round} · {obj}"


class LedgerFilterForm(forms.Form):
    """The ledger's query string; every value checked, so a bad one is a message, not a 500."""

    round = forms.ModelChoiceField(queryset=None, required=False, label=_("Round"))
    unit = RoundScopedChoiceField(queryset=None, required=False, label=_("Unit"))
    team = TeamChoiceField(queryset=None, required=False, label=_("Team"))
    state = forms.ChoiceField(required=False, label=_("State"))
    colour = forms.ChoiceField(required=False, label=_("Colour"))
    due_after = forms.DateField(
        required=False,
        label=_("Due on or after"),
        widget=date_input(),
    )
    due_before = forms.DateField(
        required=False,
        label=_("Due on or before"),
        widget=date_input(),
    )
    sort = forms.ChoiceField(required=False, label=_("Sort by"), choices=SORT_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sheets = forms.ChoiceField(
        required=False,
        label=_("Excel sheets"),
        choices=[("", _("One sheet")), ("unit", _("One sheet per unit"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        all_label = [("", _("All"))]
        self.fields["round"].queryset = ledger_rounds(user)
        self.fields["unit"].queryset = ledger_units(user)
        self.fields["team"].queryset = ledger_teams(user)
        for name in ("round", "unit", "team"):
            self.fields[name].empty_label = _("All")
        round_id = self._chosen("round")
        if round_id is None:
            self._list_only_if_few("unit", _("Choose a round to list its units."))
            self._list_only_if_few("team", _("Choose a round to list its teams."))
        else:
            for name, rows in (
                ("unit", ledger_units(user, round_id=round_id)),
                ("team", ledger_teams(user, round_id=round_id)),
            ):
                # The one already chosen stays listed, even from another round, so the select
                # shows the filter in force.
                chosen = self._chosen(name)
                if chosen is not None:
                    rows = self.fields[name].queryset.filter(
                        Q(pk__in=rows.values("pk")) | Q(pk=chosen)
                    )
                self.fields[name].show(rows)
        self.fields["state"].choices = all_label + list(ItemState.choices)
        self.fields["colour"].choices = [
            *all_label,
            *Colour.choices,
            ("none", _("No live deadline")),
        ]

    def _list_only_if_few(self, name: str, hint: str) -> None:
        """List every option when there are few; else only the one chosen, and say why."""
        field = self.fields[name]
        if field.queryset.values("pk")[LISTED_AT_MOST : LISTED_AT_MOST + 1].exists():
            chosen = self._chosen(name)
            field.show(field.queryset.filter(pk=chosen) if chosen else field.queryset.none())
            field.help_text = hint

    def _chosen(self, name: str) -> int | None:
        """The id asked for in `name`, if it is one; the field's own cleaning judges it later."""
        try:
            return int(self.data.get(name) or "")
        except (TypeError, ValueError):
            return None

    def clean(self):
        data = super().clean()
        after, before = data.get("due_after"), data.get("due_before")
        if after and before and after > before:
            raise forms.ValidationError(
                _('"Due on or after" is later than "Due on or before": no item can match both.'),
                code="empty_range",
            )
        return data

    def filters(self) -> LedgerFilters:
        data = self.cleaned_data
        return LedgerFilters(
            round=data.get("round"),
            unit=data.get("unit"),
            team=data.get("team"),
            state=data.get("state") or "",
            colour=data.get("colour") or "",
            due_after=data.get("due_after"),
            due_before=data.get("due_before"),
            sort=data.get("sort") or DEFAULT_SORT,
        )


def _form(request: HttpRequest) -> LedgerFilterForm:
    if not request.user.has_perm("inspections.view_ledger"):
        raise PermissionDenied
    return LedgerFilterForm(request.GET, user=request.user)


def _without(request: HttpRequest, *names: str) -> str:
    """The query string without `names` (the export keeps the filters but not the page)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@require_safe
@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    """The ledger page; to htmx, only the results, so the filters update it without a reload."""
    form = _form(request)
    context = {"form": form, "columns": COLUMNS, "page": None, "rows": []}
    status = 200
    if form.is_valid():
        paginator = Paginator(ledger_items(request.user, form.filters()), PAGE_SIZE)
        number = form.cleaned_data.get("page") or 1
        page = paginator.get_page(number)
        context |= {
            "page": page,
            # Two pages either side and the ends: as cheap at 20,000 pages as at 20.
            "page_numbers": list(
                paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            ),
            # A page past the end shows the last one, and says so.
            "page_moved": number > 1 and page.number != number,
            "rows": list(ledger_rows(page.object_list, start=page.start_index() or 1)),
            "export_query": _without(request, "page"),
            "sort": form.cleaned_data.get("sort") or DEFAULT_SORT,
        }
    else:
        status = 400
    partial = request.htmx and not request.htmx.history_restore_request
    # The units and teams offered follow the round, and the sort follows a column heading,
    # so a fragment carries those fields too.
    context["scoped_fields"] = [form[name] for name in ("unit", "team", "sort")] if partial else []
    template = "overview/_ledger_results.html" if partial else "overview/ledger.html"
    response = render(request, template, context, status=status)
    # The same address answers with a page or with a fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _export(request: HttpRequest, file_format: str) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        context = {"form": form, "columns": COLUMNS, "page": None, "rows": []}
        return render(request, "overview/ledger.html", context, status=400)
    # Every page of what the ledger shows, read in one query.
    rows = ledger_rows(ledger_items(request.user, form.filters()).iterator(chunk_size=2000))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if file_format == "xlsx":
        content = ledger_xlsx(rows, sheet_per_unit=form.cleaned_data.get("sheets") == "unit")
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = ledger_csv(rows)
        content_type = "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    # 整改台账-20260411-0930.xlsx; Django adds the ASCII fallback older clients need (RFC 6266).
    name = f"{gettext('Rectification ledger')}-{stamp}.{file_format}"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_safe
@login_required
def ledger_export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


@require_safe
@login_required
def ledger_export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")
