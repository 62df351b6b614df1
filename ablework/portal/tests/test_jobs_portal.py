"""Public job pages, directories and articles of the portal; the person's and the employer's job
self-service: apply, withdraw, matching opt-out, recommendations with reasons."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ablework.core.models import AuditLog, District
from ablework.core.scoping import unscoped
from ablework.jobs import actions
from ablework.jobs.tests import conftest as jobs_fixtures
from ablework.portal.models import Article

pytestmark = pytest.mark.django_db

# The jobs fixtures (employers, postings, persons with a need registration, portal accounts).
employer_user = jobs_fixtures.employer_user
make_employer = jobs_fixtures.make_employer
make_posting = jobs_fixtures.make_posting
person_user = jobs_fixtures.person_user
register_need = jobs_fixtures.register_need

PUBLIC = ["/portal/", "/portal/jobs/", "/portal/fairs/", "/portal/directories/", "/portal/policy/", "/portal/news/",
          "/portal/stories/", "/portal/disclosure/"]  # fmt: skip


def _client(user: Any = None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def _basics(html: str) -> None:
    """What every portal page must have: language, title, skip link to main, one h1, labelled inputs."""
    assert '<html lang="zh-Hans">' in html and "<title>" in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert html.count("<h1") == 1
    import re

    for input_id in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', html):
        tag = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(input_id)}"[^>]*>', html)
        assert tag is not None
        if 'type="hidden"' in tag.group(0):
            continue
        assert f'for="{input_id}"' in html, f"input #{input_id} has no label"


def test_public_pages_need_no_login_and_have_the_basics(make_employer: Any, make_posting: Any) -> None:
    make_posting(make_employer(), title="公开岗位")
    c = _client()
    for url in PUBLIC:
        resp = c.get(url)
        assert resp.status_code == 200, url
        _basics(resp.content.decode())


def test_job_search_filters_and_shows_only_open_postings(make_employer: Any, make_posting: Any) -> None:
    employer = make_employer()
    make_posting(employer, title="坡道文员", accessibility=["step_free"])
    make_posting(employer, title="楼上文员", accessibility=["lift"])
    make_posting(employer, title="草稿岗位", publish=False)
    make_posting(employer, title="烟草零售", source="tobacco_licence", relaxed_conditions="残疾人优先")
    c = _client()
    page = c.get("/portal/jobs/").content.decode()
    assert "坡道文员" in page and "楼上文员" in page and "草稿岗位" not in page
    page = c.get("/portal/jobs/?access=step_free").content.decode()
    assert "坡道文员" in page and "楼上文员" not in page
    page = c.get("/portal/jobs/?reserved=1").content.decode()
    assert "烟草零售" in page and "坡道文员" not in page
    page = c.get("/portal/jobs/?q=楼上").content.decode()
    assert "楼上文员" in page and "坡道文员" not in page


def test_person_applies_withdraws_and_opts_out(
    make_employer: Any, make_posting: Any, make_person: Any, register_need: Any, person_user: Any, hp_officer: Any
) -> None:
    posting = make_posting(make_employer(), title="文员甲")
    person = register_need(make_person("120101", name="王五"))
    user = person_user(person)
    c = _client(user)
    detail = c.get(f"/portal/jobs/{posting.pk}/").content.decode()
    assert "提交申请" in detail
    resp = c.post(f"/portal/jobs/{posting.pk}/apply/", {"person": person.pk, "note": "需要无障碍卫生间"})
    assert resp.status_code == 302
    page = c.get("/portal/me/jobs/").content.decode()
    assert "文员甲" in page and "已投递" in page
    # applying twice is refused with a message
    c.post(f"/portal/jobs/{posting.pk}/apply/", {"person": person.pk})
    assert "已申请或已被推荐" in c.get(f"/portal/jobs/{posting.pk}/").content.decode()
    # another person's id is not accepted
    stranger = make_person("120101", name="陌生人")
    c.post(f"/portal/jobs/{posting.pk}/apply/", {"person": stranger.pk})
    from ablework.jobs.models import Application

    with unscoped():
        assert not Application.objects.filter(person_id=stranger.pk).exists()
        app = Application.objects.get(person_id=person.pk)
    assert c.post(f"/portal/me/applications/{app.pk}/withdraw/").status_code == 302
    app.refresh_from_db()
    assert app.status == "withdrawn"

    # recommendations with reasons, then opt out: none, and not among an officer's candidates
    other = make_posting(make_employer(), title="文员乙")
    page = c.get("/portal/me/jobs/").content.decode()
    assert "文员乙" in page and "查看评分依据" in page
    assert c.post(f"/portal/me/jobs/{person.pk}/matching/", {"status": "opted_out"}).status_code == 302
    page = c.get("/portal/me/jobs/").content.decode()
    assert "不使用自动匹配" in page and "查看评分依据" not in page
    assert AuditLog.objects.filter(object_type="jobs.matchingconsent", actor=user).exists()
    officer_page = _client(hp_officer).get(f"/jobs/{other.pk}/?candidates=1").content.decode()
    assert "王五" not in officer_page
    # someone else's person: 404
    assert c.post(f"/portal/me/jobs/{stranger.pk}/matching/", {"status": "consented"}).status_code == 404


def test_employer_sees_consenting_candidates_only_with_masked_names(
    make_employer: Any, make_posting: Any, make_person: Any, register_need: Any, employer_user: Any, hp_officer: Any
) -> None:
    employer = make_employer()
    posting = make_posting(employer, title="文员丙")
    yes = register_need(make_person("120101", name="赵同意"))
    register_need(make_person("120101", name="钱未答"))
    actions.set_matching_consent(yes, actor=hp_officer, status="consented")
    c = _client(employer_user(employer))
    page = c.get(f"/jobs/{posting.pk}/?candidates=1").content.decode()
    assert "赵**" in page and "赵同意" not in page and "钱" not in page
    home = c.get("/portal/employer/").content.decode()
    assert "文员丙" in home
    assert _client(hp_officer).get("/portal/employer/").status_code == 404


def test_directory_shows_published_entries_with_search(city_admin: Any) -> None:
    heping = District.objects.get(code="120101")
    for name, published in (("公开的人力资源公司", True), ("未公开的机构", False)):
        actions.save_directory_entry(None, actor=city_admin, data={"kind": "hr_institution", "name": name,
                                     "address": "和平路3号", "district": heping, "published": published})  # fmt: skip
    page = _client().get("/portal/directories/").content.decode()
    assert "公开的人力资源公司" in page and "未公开的机构" not in page and "和平路3号" in page
    assert "公开的人力资源公司" not in _client().get("/portal/directories/?kind=carrier").content.decode()


def test_articles_draft_then_published_and_scoped(hp_officer: Any, hx_officer: Any) -> None:
    c = _client(hp_officer)
    resp = c.post("/portal/manage/articles/new/", {"kind": "explainer", "title": "新招用补贴怎么申请",
                  "body": "用人单位新招用残疾人，签订一年以上劳动合同的，可以申请补贴。\n\n到所在区残联提交材料。",
                  "district": hp_officer.organisation.district_id})  # fmt: skip
    assert resp.status_code == 302
    with unscoped():
        article = Article.objects.get(title="新招用补贴怎么申请")
    assert article.status == "draft"
    assert "新招用补贴怎么申请" not in _client().get("/portal/policy/").content.decode()
    assert _client().get(f"/portal/articles/{article.pk}/").status_code == 404
    assert (
        _client(hx_officer).post(f"/portal/manage/articles/{article.pk}/publish/", {"publish": "1"}).status_code == 404
    )
    c.post(f"/portal/manage/articles/{article.pk}/publish/", {"publish": "1"})
    article.refresh_from_db()
    assert article.status == "published" and article.published_at is not None
    assert "新招用补贴怎么申请" in _client().get("/portal/policy/").content.decode()
    detail = _client().get(f"/portal/articles/{article.pk}/")
    assert detail.status_code == 200 and detail.content.decode().count("<p>") >= 2
    assert AuditLog.objects.filter(object_type="portal.article", object_id=str(article.pk)).count() == 2
    resp = c.post(
        "/portal/manage/articles/new/",
        {"kind": "news", "title": "短", "body": "太短", "district": hp_officer.organisation.district_id},
    )
    assert resp.status_code == 422 and "正文太短" in resp.content.decode()
    assert timezone.now() >= article.published_at
