"""Failure tests (issue 9), bounded and on loopback only.

1. The database fails in the middle of a request (the connection drops between the change and its audit
   row, inside one transaction): the user gets the plain 500 page, nothing is half-written.
2. The database is unreachable: pages answer 500 (no traceback, no data) and the health check fails, so a
   load balancer takes the node out.
3. The task worker is killed (SIGKILL) in the middle of a registry import; after the restart and the
   re-submission the import ends with every row once: nothing lost, nothing duplicated.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from ablework.core.models import AuditLog, District, ImportBatch, Job
from ablework.core.scoping import unscoped

ROOT = Path(__file__).resolve().parents[3]


def failing_on(fragment: str | None) -> Callable[..., Any]:
    """A cursor wrapper that drops the 'connection' on the first statement containing ``fragment``
    (every statement when None), as a PostgreSQL restart or a network cut would."""

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if fragment is None or fragment in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    return wrapper


@pytest.mark.django_db
def test_database_failure_mid_transaction_leaves_no_partial_write(city_admin: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(city_admin)
    district = District.objects.get(code="120101")
    before, audit_rows = district.is_agricultural, AuditLog.objects.count()
    # The UPDATE of the district goes through; the connection "drops" when the audit row is written.
    with connection.execute_wrapper(failing_on('INSERT INTO "core_auditlog"')):
        started = time.monotonic()
        response = client.post(f"/core/districts/{district.pk}/agricultural/")
    assert time.monotonic() - started < 5
    assert response.status_code == 500
    page = response.content.decode()
    assert "系统暂时出现错误" in page and "可能没有保存" in page
    assert "Traceback" not in page and "core_auditlog" not in page and "OperationalError" not in page
    district.refresh_from_db()
    assert district.is_agricultural == before, "the district was changed without its audit row"
    assert AuditLog.objects.count() == audit_rows
    # Once the database is back, the same request works and is audited.
    assert client.post(f"/core/districts/{district.pk}/agricultural/").status_code == 302
    district.refresh_from_db()
    assert district.is_agricultural != before and AuditLog.objects.count() == audit_rows + 1


@pytest.mark.django_db
def test_database_unreachable_gives_a_plain_error_page_and_failing_health_check(
    hp_officer: Any, make_person: Any
) -> None:
    make_person("120101", name="不可泄露")
    client = Client(raise_request_exception=False)
    client.force_login(hp_officer)
    with connection.execute_wrapper(failing_on(None)):
        people = client.get("/people/")
        health = Client(raise_request_exception=False).get("/core/healthz")  # as a load balancer asks: no session
    assert people.status_code == 500 and "系统暂时出现错误" in people.content.decode()
    assert "不可泄露" not in people.content.decode()
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert client.get("/core/healthz").json() == {"status": "ok"}


# --- the task worker killed during an import ----------------------------------------------------------------


def _pg_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _worker(var_dir: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": _pg_url(), "ABLEWORK_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "default", "--no-reload",
         "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def _wait(predicate: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_killed_worker_during_import_resumes_with_nothing_lost_or_duplicated(
    tmp_path: Path, settings: Any, hp_officer: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database a second process can open; runs in the PostgreSQL run of the suite")
    # The registry's own import and its test helpers; loaded by name, core does not import the apps.
    people_actions = importlib.import_module("ablework.people.actions")
    helpers = importlib.import_module("ablework.people.tests.test_imports")
    person_model = apps.get_model("people", "Person")
    settings.MEDIA_ROOT = tmp_path / "var" / "uploads"  # where the worker (ABLEWORK_VAR_DIR) looks
    rows = []
    for n in range(6000):
        number = helpers.rid(20000 + n)
        rows.append([f"中断{n}", number, number + "42", "", "", date(2020, 1, 1), "", "和平区", "", "", ""])
    data = helpers.xlsx(helpers.HEAD, rows)
    from django.db import transaction

    with transaction.atomic():
        submitted = people_actions.start_people_import(
            actor=hp_officer, kind=helpers.PERSONS, filename="中断演练.xlsx", data=data, inline=False
        )
    batch = submitted.batch
    job_id = batch.job_id

    def progress() -> int:
        return Job.objects.get(pk=job_id).done

    worker = _worker(tmp_path / "var")
    try:
        assert _wait(lambda: 0 < progress() < 6000, 60), "the worker did not start the import"
        os.killpg(worker.pid, signal.SIGKILL)  # no clean-up of any kind
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    with unscoped():
        half = person_model.objects.filter(name__startswith="中断").count()
    batch.refresh_from_db()
    assert 0 < half < 6000 and batch.status == "running", (half, batch.status, batch.error_rows)

    # The same file re-submitted is refused while the batch may still be live.  ``resume_tasks`` (run at
    # the start of the only worker, or by a timer with the stale limit) queues the dead batch again by
    # itself: no re-upload; a second call does not queue it twice.
    again = people_actions.start_people_import(
        actor=hp_officer, kind=helpers.PERSONS, filename="中断演练.xlsx", data=data, inline=False
    )
    assert not again.created
    from django.core.management import call_command

    from ablework.core.imports import resume_stale_imports

    assert resume_stale_imports() == []  # progress is recent: maybe alive, left alone
    Job.objects.filter(pk=job_id).update(updated_at=timezone.now() - timedelta(minutes=31))
    out = StringIO()
    call_command("resume_tasks", stdout=out)
    assert f"（{batch.pk}）" in out.getvalue()
    assert resume_stale_imports() == []  # now pending with fresh progress: not queued twice
    batch.refresh_from_db()
    assert batch.status == "pending"

    worker = _worker(tmp_path / "var")
    try:
        assert _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status == "done", 120), "not resumed"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    batch.refresh_from_db()
    with unscoped():
        imported = person_model.objects.filter(name__startswith="中断")
        assert imported.count() == 6000, "rows lost"
        assert imported.values("id_hash").distinct().count() == 6000, "rows duplicated"
    assert (batch.created_rows + batch.unchanged_rows, batch.error_rows) == (6000, 0)
    assert batch.unchanged_rows >= half  # the rows committed before the kill were not written twice


@pytest.mark.django_db(transaction=True)
def test_killed_worker_during_the_levy_batch_resumes_with_nothing_lost_or_duplicated(
    tmp_path: Path, make_user: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database a second process can open; runs in the PostgreSQL run of the suite")
    from django.core.management import call_command

    from ablework.core.imports import resume_stale_jobs

    call_command("seed_demo", persons=400, employers=1200, seed=11, stdout=StringIO(), verbosity=0)
    call_command("seed_demo_review", "--seed=11", stdout=StringIO())
    batch = importlib.import_module("ablework.quota.batch")  # core does not import the apps: by name
    result_model = apps.get_model("quota", "LevyResult")
    year = max(apps.get_model("quota", "Campaign").objects.values_list("data_year", flat=True))
    admin = make_user("city_admin")
    from django.db import transaction

    with transaction.atomic():
        job = batch.start_levy_batch(year, actor=admin)  # queued for the worker
    env_var = tmp_path / "var"
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name", "default", "--no-reload",
         "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT, env={**os.environ, "DATABASE_URL": _pg_url(), "ABLEWORK_VAR_DIR": str(env_var), "LEVY_CHUNK": "10"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        assert _wait(lambda: Job.objects.get(pk=job.pk).done > 0, 90), "the worker did not start the batch"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    job.refresh_from_db()
    with unscoped():
        partial = result_model.objects.filter(data_year=year).count()
    assert job.status == "running" and 0 < job.done < job.total, (job.status, job.done, job.total)

    assert resume_stale_jobs() == []  # progress is recent: maybe alive, left alone
    Job.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=31))
    assert resume_stale_jobs() == [job.pk]
    worker = _worker(env_var)
    try:
        assert _wait(lambda: Job.objects.get(pk=job.pk).status == "done", 150), "the batch was not resumed"
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(20)
    with unscoped():
        rows = result_model.objects.filter(data_year=year)
        assert rows.count() >= partial and rows.values("declaration_id").distinct().count() == rows.count()
    # run once more in this process: every row is already right (nothing lost, nothing doubled)
    again = batch.run_levy_batch(batch.create_levy_job(year, actor=admin, enqueue=False).pk, year)
    assert again is not None and again.created == 0 and again.updated == 0 and again.unchanged == rows.count()


# --- two approvers on the same declaration at once ----------------------------------------------------------


@pytest.mark.django_db
def test_two_reviewers_deciding_the_same_declaration_one_wins_one_is_told(make_user: Any) -> None:
    """Two district officers (the review role of 年审) open the same submitted 年审申报 and decide it: the
    first decision is taken, the second answers 422 with a message on the page, and the declaration is decided once."""
    import io
    import re

    from django.core.management import call_command

    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    call_command("seed_demo", persons=150, employers=60, seed=1, **quiet)
    call_command("seed_demo_review", seed=1, **quiet)
    declaration = apps.get_model("quota", "Declaration")
    transition_log = apps.get_model("core", "TransitionLog")
    with unscoped():
        candidates = list(declaration.objects.filter(status="submitted").values_list("pk", "employer__district__code"))
    assert candidates, "the demo data have no submitted declaration"
    for pk, district_code in candidates:
        first, second = Client(), Client()
        first.force_login(make_user("district_officer", district_code))
        second.force_login(make_user("district_officer", district_code))
        pages = [c.get(f"/quota/declarations/{pk}/").content.decode() for c in (first, second)]
        stages = [re.search(r'name="stage" value="(\d*)"', p) for p in pages]
        # 退回修改 (certifying needs the unit's count conflicts settled first, which the demo data leave open).
        data = [{"transition": "return", "note": "请补充劳动合同", "stage": m.group(1) if m else ""} for m in stages]
        won = first.post(f"/quota/declarations/{pk}/decide/", data[0])
        if won.status_code != 302:
            continue  # e.g. an open count conflict blocks this one: try the next
        late = second.post(f"/quota/declarations/{pk}/decide/", data[1])
        assert late.status_code == 422, late.status_code
        message = re.findall(r'class="alert[^"]*"[^>]*>\s*([^<]+)', late.content.decode())
        assert message and "当前状态为“退回修改”" in message[0], (
            message
        )  # e.g. 当前状态为“退回修改”，不能执行“退回修改”
        with unscoped():
            decided = transition_log.objects.filter(object_type__endswith="declaration", object_id=str(pk)).exclude(
                transition="submit"
            )
            # One decision after the latest submission, by the first reviewer.
            latest_submit = (
                transition_log.objects.filter(
                    object_type__endswith="declaration", object_id=str(pk), transition="submit"
                )
                .order_by("-pk")
                .first()
            )
            after = decided.filter(pk__gt=latest_submit.pk if latest_submit else 0)
            assert after.count() == 1, list(after.values_list("transition", "actor_id"))
        return
    pytest.fail("no submitted declaration could be decided by the first reviewer")
