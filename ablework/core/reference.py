"""Reference data every database needs: districts (policy-rules §17), streets, industries and the
default policy parameters.  ``load_reference_data()`` is idempotent; the data migration and
``manage.py load_reference`` call it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from ablework.core.policy_defaults import DEFAULT_PARAMETERS

DATA_DIR = Path(__file__).resolve().parent / "data"

DISTRICTS = [
    ("120101", "和平区", False), ("120102", "河东区", False), ("120103", "河西区", False),
    ("120104", "南开区", False), ("120105", "河北区", False), ("120106", "红桥区", False),
    ("120110", "东丽区", True), ("120111", "西青区", True), ("120112", "津南区", True),
    ("120113", "北辰区", True), ("120114", "武清区", True), ("120115", "宝坻区", True),
    ("120116", "滨海新区", True), ("120117", "宁河区", True), ("120118", "静海区", True),
    ("120119", "蓟州区", True),
]  # fmt: skip


def load_reference_data(apps: Any = None) -> dict[str, int]:
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    District = apps.get_model("core", "District")
    Street = apps.get_model("core", "Street")
    Industry = apps.get_model("core", "Industry")
    PolicyParameter = apps.get_model("core", "PolicyParameter")

    existing = set(District.objects.values_list("code", flat=True))
    District.objects.bulk_create(
        [
            District(code=c, name=n, is_agricultural=a, sort_order=i)
            for i, (c, n, a) in enumerate(DISTRICTS)
            if c not in existing
        ]
    )
    by_code = {d.code: d for d in District.objects.all()}

    existing_streets = set(Street.objects.values_list("code", flat=True))
    with (DATA_DIR / "tianjin-streets.csv").open(encoding="utf-8") as fh:
        streets = [
            Street(code=r["code"], name=r["name"], district=by_code[r["district_code"]])
            for r in csv.DictReader(fh)
            if r["code"] not in existing_streets and r["district_code"] in by_code
        ]
    Street.objects.bulk_create(streets)

    existing_ind = set(Industry.objects.values_list("code", flat=True))
    with (DATA_DIR / "industry-gbt4754-2017.csv").open(encoding="utf-8") as fh:
        industries = [
            Industry(code=r["code"], level=r["level"], section=r["section"], name=r["name"])
            for r in csv.DictReader(fh)
            if r["code"] not in existing_ind
        ]
    Industry.objects.bulk_create(industries)

    existing_params = set(PolicyParameter.objects.filter(district__isnull=True).values_list("key", "valid_from"))
    params = []
    for p in DEFAULT_PARAMETERS:
        start = date.fromisoformat(p["valid_from"])
        if (p["key"], start) in existing_params:
            continue
        params.append(
            PolicyParameter(
                key=p["key"],
                valid_from=start,
                valid_to=date.fromisoformat(p["valid_to"]) if p.get("valid_to") else None,
                value=p["value"],
                source=p["source"],
                confirmed=p["confirmed"],
                note=p.get("note", ""),
            )
        )
    PolicyParameter.objects.bulk_create(params)
    return {
        "districts": len(by_code),
        "streets": len(streets),
        "industries": len(industries),
        "parameters": len(params),
    }
