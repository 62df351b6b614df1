"""The demo command: 和平's first institution meets the grant facts; a second run with --if-empty does nothing."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.utils import timezone

from ablework.assisted import api
from ablework.assisted.models import Institution, Participant


def test_seed_demo_assisted(registered: Any) -> None:
    for k in range(12):
        registered("120101" if k % 2 else "120103", category=5 + k % 2, level=1 + k % 4, birth=date(1985, 1, 1 + k))
    out = StringIO()
    call_command("seed_demo_assisted", seed=1, stdout=out)
    assert "辅助性就业/培训演示数据" in out.getvalue()
    first = Institution.objects.filter(district__code="120101").order_by("pk").first()
    assert first is not None
    facts = api.institution_grant_facts(first, timezone.localdate().year - 1)
    assert facts.placed_eligible == 12
    assert facts.pay_by_bank_ok and facts.agreements_min_months_ok and facts.barrier_free
    assert facts.project_count == 1
    assert not api.coverage().met and len(api.coverage().uncovered) == 1
    assert apps.get_model("training", "Course").objects.exists()  # the command seeds training too
    counts = (Institution.objects.count(), Participant.objects.count())
    call_command("seed_demo_assisted", seed=1, if_empty=True, stdout=StringIO())
    assert (Institution.objects.count(), Participant.objects.count()) == counts
