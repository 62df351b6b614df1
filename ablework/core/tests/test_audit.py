from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ablework.core import audit
from ablework.core.models import AuditLog


def _write_three(actor: Any) -> list[AuditLog]:
    with transaction.atomic():
        return [
            audit.record(
                audit.AuditAction.UPDATE, actor=actor, object_type="x.y", object_id=i, changes={"f": [i, i + 1]}
            )
            for i in range(3)
        ]


def _drop_guard() -> None:
    """Tests that simulate tampering must first remove the append-only triggers (as an attacker with DDL rights would)."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("DROP TRIGGER IF EXISTS core_auditlog_no_update ON core_auditlog")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_auditlog_no_update")
            cur.execute("DROP TRIGGER IF EXISTS core_auditlog_no_delete")


@pytest.mark.django_db(transaction=True)
def test_record_requires_a_transaction(city_admin: Any) -> None:
    # Autocommit here: an audit row outside the change's transaction could outlive a rolled-back change.
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(audit.AuditAction.READ, actor=city_admin)


def test_entries_are_chained_and_verify(city_admin: Any) -> None:
    before = AuditLog.objects.count()
    entries = _write_three(city_admin)
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 3))
    assert entries[1].prev_hash == entries[0].hash and entries[2].prev_hash == entries[1].hash
    assert entries[0].actor_label == city_admin.username and entries[0].role == "city_admin"
    assert AuditLog.objects.count() == before + 3
    result = audit.verify_chain()
    assert result.ok, result.problems
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert "哈希链无误" in out.getvalue()


def test_update_and_delete_are_refused_by_the_database(city_admin: Any) -> None:
    entry = _write_three(city_admin)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).update(purpose="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).delete()


def test_verify_detects_an_altered_row(city_admin: Any) -> None:
    entries = _write_three(city_admin)
    _drop_guard()
    AuditLog.objects.filter(pk=entries[1].pk).update(changes={"f": [0, 999]})
    result = audit.verify_chain()
    assert not result.ok
    assert any(f"第{entries[1].seq}条记录内容已被篡改" in p for p in result.problems)
    with pytest.raises(CommandError, match="校验失败"):
        call_command("verify_audit", stdout=StringIO(), stderr=StringIO())


def test_verify_detects_a_deleted_row_in_the_middle(city_admin: Any) -> None:
    entries = _write_three(city_admin)
    _drop_guard()
    AuditLog.objects.filter(pk=entries[1].pk).delete()
    problems = audit.verify_chain().problems
    assert any("缺失" in p for p in problems)


def test_verify_detects_a_deleted_tail(city_admin: Any) -> None:
    entries = _write_three(city_admin)
    _drop_guard()
    AuditLog.objects.filter(pk=entries[2].pk).delete()
    problems = audit.verify_chain().problems
    assert any("链尾不符" in p for p in problems)


def test_diff_lists_only_changed_fields() -> None:
    assert audit.diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}
    assert audit.diff({}, {"a": 1}) == {"a": [None, 1]}


def test_login_and_failed_login_are_audited(client: Any, hp_officer: Any) -> None:
    client.post("/accounts/login/", {"username": hp_officer.username, "password": "wrong-password"})
    client.post("/accounts/login/", {"username": hp_officer.username, "password": "Test-pass-2026!"})
    actions = list(AuditLog.objects.order_by("seq").values_list("action", flat=True))
    assert actions[-2:] == ["login_failed", "login"]


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_with_audit_rows_flush_cleanly(city_admin: Any) -> None:
    # Commits for real; the conftest fixture must empty the log before the flush on SQLite.
    _write_three(city_admin)
    assert audit.verify_chain().ok


def test_guard_is_back_after_a_transactional_test(city_admin: Any) -> None:
    entry = _write_three(city_admin)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entry.pk).delete()


@pytest.mark.django_db
def test_record_many_indexes_subjects_and_detects_a_removed_subject(city_admin: Any) -> None:
    from ablework.core.models import AuditSubject

    entry = audit.record_many(
        audit.AuditAction.EXPORT, actor=city_admin, object_type="people.person", object_ids=[3, 1, 2, 2],
        changes={"format": "xlsx"},
    )  # fmt: skip
    assert entry.changes["subjects"] == 3
    direct = audit.record_read(city_admin, actor=city_admin)
    assert list(audit.access_entries("people.person", 2)) == [entry]
    assert list(audit.access_entries("people.person", 9)) == []
    assert direct not in audit.access_entries("people.person", 2)
    assert audit.verify_chain().ok
    # Removing a person from the subjects of an export (to hide that they were exported) is detected.
    AuditSubject.objects.filter(entry=entry, object_id="2").delete()
    result = audit.verify_chain()
    assert any(f"第{entry.seq}条记录涉及的对象清单已被篡改" in p for p in result.problems)
