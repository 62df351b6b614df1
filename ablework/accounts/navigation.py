"""Role-based navigation: the menu a user sees is derived from the role, never configured per user."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from ablework.accounts.enums import CITY_ROLES, DISTRICT_ROLES, Role

# (url name, label, roles allowed)
_ITEMS: list[tuple[str, str, frozenset[str]]] = [
    ("reports:dashboard", "工作台", frozenset(Role.values)),
    ("reports:monitor", "监测", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("reports:annual_list", "年度报告", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("reports:quality", "数据质量", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("reports:simulation_list", "政策模拟", frozenset({Role.CITY_ADMIN})),
    ("people:list", "残疾人信息", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("people:services_worklist", "四个一工作台", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("people:duplicates_list", "疑似重复", frozenset({Role.DISTRICT_OFFICER, Role.CITY_ADMIN})),
    ("people:students_list", "高校学生台账", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("people:difficulty_queue", "就业困难认定", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("people:corrections_list", "信息更正申请", frozenset({Role.DISTRICT_OFFICER, Role.CITY_ADMIN})),
    ("people:imports_upload", "批量导入", frozenset({Role.DISTRICT_OFFICER, Role.CITY_ADMIN})),
    ("people:portal_me", "我的档案", frozenset({Role.PERSON})),
    ("portal:my_jobs", "我的求职", frozenset({Role.PERSON})),
    ("jobs:posting_list", "岗位与匹配", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("portal:manage_articles", "门户文章", frozenset({Role.DISTRICT_OFFICER, Role.CITY_ADMIN})),
    ("employers:list", "用人单位", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("assisted:institution_list", "辅助性就业", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("training:course_list", "职业培训", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("quota:declaration_list", "年审审核", frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER})),
    ("quota:my_declaration", "年审申报", frozenset({Role.EMPLOYER_USER})),
    ("quota:levy_batch", "保障金核定", frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER})),
    (
        "quota:public_sector_list",
        "公职单位安置情况",
        frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER}),
    ),
    (
        "quota:credit_list",
        "失信信息",
        frozenset(CITY_ROLES | {Role.DISTRICT_OFFICER, Role.DISTRICT_REVIEWER, Role.EMPLOYER_USER}),
    ),
    ("subsidies:programmes", "补贴与奖励", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("subsidies:mine", "补贴申请", frozenset({Role.EMPLOYER_USER, Role.PERSON})),
    ("employers:mine", "本单位信息", frozenset({Role.EMPLOYER_USER})),
    ("portal:employer_home", "本单位招聘", frozenset({Role.EMPLOYER_USER})),
    ("exchange:batches", "数据共享", frozenset(CITY_ROLES)),
    ("core:policy_list", "政策参数", frozenset(CITY_ROLES)),
    ("core:district_list", "区划", frozenset(CITY_ROLES)),
    ("core:audit_list", "审计日志", frozenset({Role.CITY_ADMIN})),
    ("core:jobs", "后台任务", frozenset(CITY_ROLES | DISTRICT_ROLES)),
    ("core:inbox", "消息", frozenset(Role.values)),
]


def navigation_for(user: Any) -> list[dict[str, Any]]:
    items = []
    for name, label, roles in _ITEMS:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"name": name, "label": _(label), "url": url})
    return items
