from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail

from ablework.core import crypto
from ablework.core.models import Notification
from ablework.core.notifications import deliver, notify


@pytest.mark.parametrize("cipher", ["AES-GCM", "SM4-GCM"])
def test_round_trip_and_random_nonce(cipher: str) -> None:
    a = crypto.encrypt("120101199003070013", cipher=cipher)
    b = crypto.encrypt("120101199003070013", cipher=cipher)
    assert a != b and a[0] == cipher[0]
    assert "120101199003070013" not in a
    assert crypto.decrypt(a) == crypto.decrypt(b) == "120101199003070013"


def test_tampered_ciphertext_is_rejected() -> None:
    token = crypto.encrypt("120101199003070013")
    head, body = token.split(":")
    flipped = body[:-4] + ("A" if body[-4] != "A" else "B") + body[-3:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(f"{head}:{flipped}")


def test_wrong_key_is_rejected() -> None:
    token = crypto.encrypt("120101199003070013")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token, key=b"\x00" * 32)


def test_lookup_hash_is_keyed_and_deterministic() -> None:
    assert crypto.lookup_hash("x") == crypto.lookup_hash("x")
    assert crypto.lookup_hash("x", key=b"k" * 32) != crypto.lookup_hash("x")


def test_notify_creates_inbox_email_and_sms(
    settings: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("district_officer", "120101")
    user.email, user.phone = "officer@example.invalid", "13800000000"
    user.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        created = notify(user, subject="申报被退回", body="请补充劳动合同", link="/")
    assert {n.channel for n in created} == {"inbox", "email", "sms"}
    assert len(callbacks) == 2  # e-mail and SMS leave only after commit
    for n in created:
        if n.channel != "inbox":
            deliver(n.pk)
            deliver(n.pk)  # idempotent: a second delivery sends nothing more
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer@example.invalid"]
    lines = [
        json.loads(line) for f in settings.ABLEWORK_SMS_FILE_PATH.glob("*.jsonl") for line in f.read_text().splitlines()
    ]
    assert len(lines) == 1 and lines[0]["phone"] == "13800000000" and "申报被退回" in lines[0]["text"]
    assert Notification.objects.filter(recipient=user, sent_at__isnull=True).count() == 0


def test_user_without_phone_gets_no_sms_and_sees_the_inbox(client: Any, make_user: Any) -> None:
    user = make_user("employer_user")
    created = notify(user, subject="审核通过", body="您的申报已通过")
    assert [n.channel for n in created] == ["inbox"]
    client.force_login(user)
    page = client.get("/core/inbox/").content.decode()
    assert "审核通过" in page and "您的申报已通过" in page


@pytest.mark.django_db(transaction=True)
def test_the_task_worker_delivers_after_commit(settings: Any, make_user: Any) -> None:
    """End to end through django-tasks' database backend and the real `db_worker` command."""
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("district_reviewer", "120101")
    user.email = "reviewer@example.invalid"
    user.save()
    with transaction.atomic():
        notify(user, subject="待审核", body="有1份申报待您审核", channels=("inbox", "email"))
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "待审核"
    assert Notification.objects.get(recipient=user, channel="email").sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_rolled_back_action_sends_nothing(make_user: Any) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    user = make_user("district_reviewer", "120101")
    user.email = "reviewer@example.invalid"
    user.save()
    with pytest.raises(RuntimeError), transaction.atomic():
        notify(user, subject="x", body="y")
        raise RuntimeError("the action failed")
    assert DBTaskResult.objects.count() == 0 and Notification.objects.count() == 0
