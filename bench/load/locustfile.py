"""Load profile of AbleWork (bench/load/run.py starts it; loopback only).

Officers (3 of 4 users) log in as a district officer of the demo data and work inside their district:
the person list page by page, person detail pages (each read is written to the audit log), searches by
surname, the employer list and the annual-review (年审) declaration queue with a declaration's detail.
Employers (1 of 4) log in as the demo employer: "我的年审申报" (and, when the demo data give the unit a
declaration of the open campaign, the declaration page and its edit form), their unit's page, their credit
record, their subsidy applications and their job postings.  Every user waits 0.5-2 s between actions (think time).

Accounts and password are the demo ones (``manage.py demo_accounts``).
"""

from __future__ import annotations

import random
import re
from typing import Any

from locust import HttpUser, between, task

PASSWORD = "Demo-2026!tj"  # noqa: S105 (demo data only, ablework/demo/accounts.py)
OFFICERS = ["hp_officer", "hx_officer"] + [
    f"officer_{code}" for code in ("120102", "120104", "120105", "120106", "120110", "120111", "120112", "120113")
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
_PERSON = re.compile(r'href="/people/(\d+)/"')
_DECLARATION = re.compile(r'href="/quota/declarations/(\d+)/"')
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(user: HttpUser, username: str) -> None:
    page = user.client.get("/accounts/login/", name="login form")
    token = _CSRF.search(page.text)
    with user.client.post(
        "/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
        headers={"Referer": user.host + "/accounts/login/"},
        name="login",
        allow_redirects=False,
        catch_response=True,
    ) as response:
        if response.status_code != 302:
            response.failure(f"login of {username} failed: {response.status_code}")


class Officer(HttpUser):
    weight = 3
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        login(self, random.choice(OFFICERS))
        self.person_ids: list[str] = []
        self.declaration_ids: list[str] = []

    @task(4)
    def person_list(self) -> None:
        page = random.randint(1, 5)
        response = self.client.get(f"/people/?page={page}", name="/people/?page=N")
        self.person_ids = _PERSON.findall(response.text) or self.person_ids

    @task(6)
    def person_detail(self) -> None:
        if not self.person_ids:
            return self.person_list()
        self.client.get(f"/people/{random.choice(self.person_ids)}/", name="/people/<id>/")
        return None

    @task(3)
    def search(self) -> None:
        self.client.get(f"/people/?q={random.choice(SURNAMES)}", name="/people/?q=<surname>")

    @task(1)
    def employers(self) -> None:
        self.client.get("/employers/", name="/employers/")

    @task(2)
    def declaration_queue(self) -> None:
        response = self.client.get("/quota/declarations/", name="/quota/declarations/")
        self.declaration_ids = _DECLARATION.findall(response.text) or self.declaration_ids
        if self.declaration_ids:
            pk = random.choice(self.declaration_ids)
            self.client.get(f"/quota/declarations/{pk}/", name="/quota/declarations/<id>/")


class Employer(HttpUser):
    weight = 1
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        login(self, "employer_demo")
        self.declaration: str | None = None

    @task(3)
    def my_declaration(self) -> None:
        response: Any = self.client.get("/quota/my/", name="/quota/my/")
        found = _DECLARATION.findall(response.text)
        self.declaration = found[0] if found else self.declaration

    @task(3)
    def declaration_page(self) -> None:
        if self.declaration:
            self.client.get(f"/quota/declarations/{self.declaration}/", name="/quota/declarations/<id>/ (employer)")

    @task(2)
    def my_unit(self) -> None:
        self.client.get("/employers/mine/", name="/employers/mine/")

    @task(1)
    def my_credit_subsidies_and_postings(self) -> None:
        self.client.get("/quota/credit/", name="/quota/credit/ (employer)")
        self.client.get("/subsidies/mine/", name="/subsidies/mine/")
        self.client.get("/jobs/", name="/jobs/ (employer)")

    @task(1)
    def declaration_form(self) -> None:
        if self.declaration:
            self.client.get(f"/quota/declarations/{self.declaration}/edit/", name="/quota/declarations/<id>/edit/")
