"""Rotation of the ID encryption key: retired keys stay readable by version, the command re-encrypts every
registered column under the new key, is resumable/idempotent, audited, and ``--check`` tells when done."""

from __future__ import annotations

import os
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command

from ablework.core import crypto
from ablework.core.models import AuditLog
from ablework.core.scoping import unscoped

pytestmark = pytest.mark.django_db


def test_rotation_re_encrypts_every_row_and_retires_the_old_key(make_person: Any) -> None:
    person_model = apps.get_model("people", "Person")
    old_key = bytes(settings.ABLEWORK_ID_ENCRYPTION_KEY)
    people = [make_person("120101", name=f"轮换{i}") for i in range(5)]
    with unscoped():
        plain = {p.pk: crypto.decrypt(p.id_cipher) for p in people}
        assert {crypto.version_of(p.id_cipher) for p in people} == {"1"}

    new_key = os.urandom(32)
    from django.test import override_settings

    with override_settings(ABLEWORK_ID_ENCRYPTION_KEY=new_key, ABLEWORK_ID_KEY_VERSION="2",
                           ABLEWORK_ID_ENCRYPTION_KEYS={"1": old_key, "2": new_key}):  # fmt: skip
        with unscoped():
            first = person_model.objects.get(pk=people[0].pk)
        assert crypto.decrypt(first.id_cipher) == plain[first.pk]  # retired key still readable by its version
        assert crypto.encrypt("x").startswith("A2:")  # new data under the new key
        with pytest.raises(CommandError, match="仍有5行使用已停用密钥"):
            call_command("rotate_id_encryption", "--check", stdout=StringIO())
        out = StringIO()
        call_command("rotate_id_encryption", "--batch", "2", stdout=out)
        assert "people.Person.id_cipher：重新加密5行（第2版密钥）" in out.getvalue()
        assert AuditLog.objects.filter(object_type="core.keyrotation").exists()
        again = StringIO()
        call_command("rotate_id_encryption", stdout=again)
        assert "people.Person.id_cipher：重新加密0行" in again.getvalue()

    with override_settings(ABLEWORK_ID_ENCRYPTION_KEY=new_key, ABLEWORK_ID_KEY_VERSION="2",
                           ABLEWORK_ID_ENCRYPTION_KEYS={"2": new_key}):  # fmt: skip
        with unscoped():
            for p in person_model.objects.filter(pk__in=plain):
                assert crypto.version_of(p.id_cipher) == "2" and crypto.decrypt(p.id_cipher) == plain[p.pk]
        call_command("rotate_id_encryption", "--check", stdout=StringIO())  # nothing left under key 1
        with pytest.raises(crypto.DecryptionError, match="没有第1版密钥"):
            crypto.decrypt("A1:" + crypto.encrypt("x").split(":", 1)[1])
