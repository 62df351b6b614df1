from __future__ import annotations

from typing import Any

from ablework.core import audit, crypto
from ablework.people.models import Person


def reveal_resident_id(person: Person, *, actor: Any, purpose: str) -> str:
    """Decrypt the full ID number for an authorised officer; every unmasking is audited with its purpose."""
    if not purpose.strip():
        raise ValueError("查看完整身份证号必须填写用途")
    audit.record_read(person, actor=actor, purpose=purpose, action=audit.AuditAction.UNMASK)
    return crypto.decrypt(person.id_cipher)
