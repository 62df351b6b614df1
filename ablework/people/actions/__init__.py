"""Every write to the registry (architecture §3: lock, check, save, audit, on_commit tasks).

The package is split by topic because the registry has many; import from the package:
``from ablework.people import actions`` then ``actions.register_person(...)``.
"""

from ablework.people.actions.registry import (
    EDITABLE_FIELDS,
    RegisterResult,
    RegistryError,
    add_certificate,
    add_employment_record,
    cert_lookup_hash,
    compute_status,
    end_employment,
    is_working_age,
    recompute_status,
    refresh_statuses,
    register_person,
    reveal_resident_id,
    set_job_wish,
    update_person,
    working_age_limits,
)

__all__ = [
    "EDITABLE_FIELDS",
    "RegisterResult",
    "RegistryError",
    "add_certificate",
    "add_employment_record",
    "cert_lookup_hash",
    "compute_status",
    "end_employment",
    "is_working_age",
    "recompute_status",
    "refresh_statuses",
    "register_person",
    "reveal_resident_id",
    "set_job_wish",
    "update_person",
    "working_age_limits",
]
