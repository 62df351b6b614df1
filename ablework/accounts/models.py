"""Users, organisations and roles.

A user has one role in one organisation.  The districts a user may see follow from the organisation
(a district or street organisation → its district; the city federation → all districts) plus any
extra districts granted explicitly (an officer covering a neighbouring district).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ablework.accounts.enums import CITY_ROLES, DISTRICT_ROLES, OrgKind, Role
from ablework.core.models import District, Street


class Organisation(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=OrgKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("区"))
    street = models.ForeignKey(Street, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("街道"))
    # Link to the registry record this organisation stands for (employer, institution), by id:
    # accounts sits below the domain apps and must not import them.
    external_ref = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind__in=["district", "street"]) | models.Q(district__isnull=False),
                name="org_district_required",
            ),
        ]
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("所属组织")
    )
    extra_districts = models.ManyToManyField(District, blank=True, related_name="+", verbose_name=_("兼管区"))
    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_city(self) -> bool:
        return self.role in CITY_ROLES

    @property
    def is_district_staff(self) -> bool:
        return self.role in DISTRICT_ROLES

    @property
    def is_staff_role(self) -> bool:
        return self.is_city or self.is_district_staff

    def scope_district_ids(self) -> list[int]:
        """The districts whose records this user may see; empty for non-staff roles. Fails closed."""
        if not self.is_active:
            return []
        if self.is_city:
            return list(District.objects.values_list("id", flat=True))
        if self.is_district_staff:
            ids = set(self.extra_districts.values_list("id", flat=True))
            if self.organisation is not None and self.organisation.district_id is not None:
                ids.add(self.organisation.district_id)
            return sorted(ids)
        return []

    @property
    def home_district(self) -> District | None:
        return self.organisation.district if self.organisation else None

    def navigation(self) -> list[dict[str, Any]]:
        from ablework.accounts.navigation import navigation_for

        return navigation_for(self)

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile")
