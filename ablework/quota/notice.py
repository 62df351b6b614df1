"""The certification notice (审核认定书, policy-rules R3.5) as PDF: HTML template → WeasyPrint, with the
CJK font of the machine (Debian ``fonts-noto-cjk``).  A read: nothing is stored; the caller audits."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from ablework.quota.enums import DeclarationStatus, ReviewOutcome
from ablework.quota.models import Declaration
from ablework.quota.queries import declaration_view


class NoticeNotAvailable(ValueError):
    """The declaration is not certified yet; the message is Chinese."""


def notice_html(decl: Declaration) -> str:
    if decl.status != DeclarationStatus.CERTIFIED:
        raise NoticeNotAvailable("申报尚未审核认定，不能出具审核认定书")
    view = declaration_view(decl)
    return render_to_string(
        "quota/notice.html",
        {
            "d": decl,
            "accepted": [e for e in view.employees if e.review_outcome == ReviewOutcome.ACCEPTED],
            "rejected": [e for e in view.employees if e.review_outcome == ReviewOutcome.REJECTED],
            "filings": view.filings,
            "levy": view.levy,
            "certified_on": timezone.localtime(decl.certified_at).date() if decl.certified_at else None,
            "number": f"{decl.campaign.data_year}-{decl.employer.district.code}-{decl.pk:06d}",
        },
    )


def render_notice_pdf(decl: Declaration) -> bytes:
    """The PDF bytes of the notice (raises ``NoticeNotAvailable`` before certification)."""
    from weasyprint import HTML  # imported here: loading it costs time every other page does not need

    return HTML(string=notice_html(decl)).write_pdf()
