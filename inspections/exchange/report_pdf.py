"""The round report as a PDF: the print template through WeasyPrint, with a CJK font by name."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML

from inspections.selectors.report import RoundReport


def round_report_html(report: RoundReport, *, printed_by: str = "") -> str:
    """The standalone print page (no site header), the PDF's source."""
    return render_to_string(
        "exchange/round_report_print.html", {"report": report, "printed_by": printed_by}
    )


def round_report_pdf(report: RoundReport, *, printed_by: str = "") -> bytes:
    """The PDF bytes; the font comes from the machine (fonts-wqy-microhei, bin/system-packages)."""
    html = round_report_html(report, printed_by=printed_by)
    # No base URL outside the project: the print template carries its own styles and no links
    # to fetch, so nothing is read from the network while the PDF is drawn.
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
