"""Re-encrypt every registered encrypted column under the current ID key (key rotation).

Usage after setting the new key as ``ID_ENCRYPTION_KEY`` with a higher ``ID_ENCRYPTION_KEY_VERSION`` and the
previous key in ``ID_ENCRYPTION_OLD_KEYS``::

    manage.py rotate_id_encryption            # re-encrypt, in batches, resumable
    manage.py rotate_id_encryption --check    # count rows still under a retired key (exit 1 if any)

Idempotent and resumable: only rows whose prefix names another version are touched, each batch in its own
transaction; the run is audited (counts per column, no values).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ablework.core import audit, crypto
from ablework.core.scoping import unscoped


class Command(BaseCommand):
    help = "Re-encrypt ID numbers (and other registered encrypted columns) under the current key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=2000)
        parser.add_argument("--check", action="store_true", help="only count rows under retired keys")

    def handle(self, *args: Any, **opts: Any) -> None:
        current = crypto.current_version()
        total_left = 0
        changed: dict[str, int] = {}
        for label, field in crypto.ENCRYPTED_FIELDS:
            model = apps.get_model(label)
            with unscoped():
                qs = model._base_manager.exclude(**{field: ""}).exclude(**{f"{field}__regex": rf"^[AS]{current}:"})
                if opts["check"]:
                    left = qs.count()
                    total_left += left
                    self.stdout.write(f"{label}.{field}：{left}行仍使用已停用密钥")
                    continue
                done = 0
                while True:
                    with transaction.atomic():
                        rows = list(qs.select_for_update().values_list("pk", field)[: opts["batch"]])
                        if not rows:
                            break
                        for pk, token in rows:
                            plain = crypto.decrypt(token)
                            cipher = "SM4-GCM" if token.startswith("S") else "AES-GCM"
                            model._base_manager.filter(pk=pk).update(**{field: crypto.encrypt(plain, cipher=cipher)})
                        done += len(rows)
                changed[f"{label}.{field}"] = done
                self.stdout.write(f"{label}.{field}：重新加密{done}行（第{current}版密钥）")
        if opts["check"]:
            if total_left:
                raise CommandError(f"仍有{total_left}行使用已停用密钥，请运行 rotate_id_encryption")
            return
        with transaction.atomic():
            audit.record(
                audit.AuditAction.UPDATE,
                object_type="core.keyrotation",
                object_label=f"身份证号加密密钥轮换至第{current}版",
                changes={"rows": changed},
                purpose="密钥轮换",
            )
