"""Tables of ablework.portal (see README.md): the articles officers publish on the public site —
policy explainers in plain language, news, and employment success stories — each a draft until
published.  ``district`` is the publishing federation's (scoped for officers; the public pages read
published articles of every district)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ablework.core.models import District
from ablework.core.scoping import DistrictScopedManager


class ArticleKind(models.TextChoices):
    EXPLAINER = "explainer", _("政策解读")
    NEWS = "news", _("新闻动态")
    STORY = "story", _("就业故事")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class Article(models.Model):
    kind = models.CharField(_("栏目"), max_length=10, choices=ArticleKind.choices)
    title = models.CharField(_("标题"), max_length=120)
    summary = models.CharField(_("摘要"), max_length=300, blank=True)
    body = models.TextField(_("正文"), help_text=_("纯文本；空一行分段。请使用简明易懂的语言。"))
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布单位所在区"))
    status = models.CharField(_("状态"), max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Article]] = DistrictScopedManager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["status", "kind", "published_at"], name="article_public_idx")]
        verbose_name = _("门户文章")

    def __str__(self) -> str:
        return self.title

    def audit_district_code(self) -> str:
        return self.district.code if self.district_id else ""

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
