"""Articles on the portal: policy explainers in plain language, news, employment success stories.

Public pages list and show published articles of every district.  Officers (city administrators and
district officers) write them as drafts and publish or withdraw them; a district officer manages the
articles of their district only (scoped manager; others answer 404).  Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from ablework.accounts.enums import Role
from ablework.core import audit
from ablework.core.models import District
from ablework.core.scoping import unscoped
from ablework.portal.models import Article, ArticleKind, ArticleStatus

EDIT_ROLES = frozenset({Role.CITY_ADMIN, Role.DISTRICT_OFFICER})
FIELDS = ("kind", "title", "summary", "body", "district")
SECTIONS = {
    "policy": (
        ArticleKind.EXPLAINER,
        "政策解读",
        "用简明的语言说明残疾人就业相关政策：谁可以申请、需要什么、到哪里办。",
    ),
    "news": (ArticleKind.NEWS, "新闻动态", "残疾人就业服务的工作动态和通知。"),
    "stories": (ArticleKind.STORY, "就业故事", "残疾人朋友就业、创业的真实故事（经本人同意发布）。"),
}


def _published() -> Any:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED).select_related("district")


@require_safe
def article_list(request: HttpRequest, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    kind, title, intro = SECTIONS[section]
    with unscoped():
        page = Paginator(_published().filter(kind=kind).order_by("-published_at", "-id"), 20).get_page(
            request.GET.get("page")
        )
        items = list(page)
    return render(request, "portal/article_list.html",
                  {"page": page, "items": items, "title": title, "intro": intro, "section": section})  # fmt: skip


@require_safe
def article_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with unscoped():
        article = _published().filter(pk=pk).first()
    if article is None:
        raise Http404
    section = next(s for s, (k, _t, _i) in SECTIONS.items() if k == article.kind)
    return render(
        request,
        "portal/article_detail.html",
        {"article": article, "section": section, "section_title": SECTIONS[section][1]},
    )


# -- management (officers) --------------------------------------------------------------------------


class ArticleForm(forms.Form):
    kind = forms.ChoiceField(
        label="栏目", choices=ArticleKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label="标题", max_length=120, widget=forms.TextInput(attrs={"class": "form-control"}))
    summary = forms.CharField(
        label="摘要", max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    body = forms.CharField(
        label="正文", widget=forms.Textarea(attrs={"class": "form-control", "rows": 12}),
        help_text="纯文本，空一行分段。请用简短的句子和常用词；就业故事须经本人书面同意，不写身份证号、住址等个人信息。",
    )  # fmt: skip
    district = forms.ModelChoiceField(label="发布单位所在区", queryset=District.objects.none(),
                                      widget=forms.Select(attrs={"class": "form-select"}))  # fmt: skip

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if len(body) < 20:
            raise forms.ValidationError("正文太短，请至少写20个字")
        return body


def _can_edit(user: Any) -> bool:
    return bool(user.is_authenticated and getattr(user, "role", None) in EDIT_ROLES)


def _districts(request: HttpRequest) -> Any:
    return District.objects.filter(id__in=request.user.scope_district_ids())  # type: ignore[union-attr]


def _get(request: HttpRequest, pk: int) -> Article:
    if not _can_edit(request.user):
        raise Http404
    article = Article.objects.select_related("district").filter(pk=pk).first()  # scoped: own districts
    if article is None:
        raise Http404
    return article


@login_required
def manage_list(request: HttpRequest) -> HttpResponse:
    if not _can_edit(request.user):
        raise Http404
    page = Paginator(Article.objects.select_related("district").order_by("-updated_at", "-id"), 30).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/manage_articles.html", {"page": page, "items": list(page)})


def save_article(article: Article | None, *, actor: Any, data: dict[str, Any]) -> Article:
    with transaction.atomic():
        before = {f: getattr(article, f) for f in FIELDS} if article else {}
        article = article or Article(created_by=actor)
        for f in FIELDS:
            setattr(article, f, data[f])
        created = article.pk is None
        article.save()
        audit.record(audit.AuditAction.CREATE if created else audit.AuditAction.UPDATE, actor=actor, obj=article,
                     object_label=article.title, changes=audit.diff(before, {f: getattr(article, f) for f in FIELDS}))  # fmt: skip
    return article


def set_article_status(article: Article, *, actor: Any, publish: bool) -> Article:
    with transaction.atomic():
        before = {"status": article.status}
        article.status = ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT
        if publish and article.published_at is None:
            article.published_at = timezone.now()
        article.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(audit.AuditAction.UPDATE, actor=actor, obj=article, object_label=article.title,
                     changes=audit.diff(before, {"status": article.status}))  # fmt: skip
    return article


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    if not _can_edit(request.user):
        raise Http404
    article = _get(request, pk) if pk else None
    initial = {f: getattr(article, f) for f in FIELDS} if article else {"kind": request.GET.get("kind", "explainer")}
    form = ArticleForm(request.POST or None, initial=initial, districts=_districts(request))
    if request.method == "POST" and form.is_valid():
        article = save_article(article, actor=request.user, data=form.cleaned_data)
        messages.success(request, "已保存" + ("（草稿，尚未发布）" if article.status == ArticleStatus.DRAFT else ""))
        return redirect("portal:manage_articles")
    return render(
        request,
        "portal/manage_article_form.html",
        {"form": form, "article": article, "title": f"修改文章：{article.title}" if article else "新建文章"},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def manage_publish(request: HttpRequest, pk: int) -> HttpResponse:
    article = _get(request, pk)
    publish = request.POST.get("publish") == "1"
    set_article_status(article, actor=request.user, publish=publish)
    messages.success(request, f"已{'发布' if publish else '撤回'}：{article.title}")
    return redirect("portal:manage_articles")
