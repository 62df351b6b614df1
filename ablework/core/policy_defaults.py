"""Tianjin default policy parameters (policy-rules.md §18), loaded into ``PolicyParameter``.

``confirmed`` is True only for values tagged (a) in policy-rules.md.  Every (b) value is a placeholder
for the 市残联 to confirm in the UI; it is shown as "待确认" wherever it is used.
Year-keyed values start on 1 January of the data/levy year they apply to.
"""

from __future__ import annotations

from typing import Any

_RULES = "policy-rules.md"

DEFAULT_PARAMETERS: list[dict[str, Any]] = [
    # §2 proportional employment
    {"key": "quota_ratio", "valid_from": "2015-01-01", "value": "0.015", "confirmed": True,
     "source": "《残疾人就业条例》第8条；津财规〔2021〕15号（按比例1.5%）"},
    {"key": "double_count_rule", "valid_from": "2015-01-01", "confirmed": True,
     "value": {"cdpf_levels": [1, 2], "military_max_level": 3, "extra_categories_levels": []},
     "source": "财税〔2015〕72号第7条（一、二级残疾人证或一至三级残疾军人证按2人计）"},
    {"key": "accepted_certificates", "valid_from": "2015-01-01", "confirmed": False,
     "value": {"cdpf": True, "military_max_level": 8, "police_max_level": 0, "require_valid_on_audit_date": True},
     "source": "财税〔2015〕72号（残疾人证；残疾军人证1至8级）；证件过期不计为苏州做法，待确认",
     "note": "伤残人民警察证是否计入天津未知（policy-rules R2.4 (b)）"},
    {"key": "count_checks", "valid_from": "2015-01-01", "confirmed": False,
     "value": {"min_contract_months": 12, "require_min_wage": True, "require_social_insurance": True,
               "require_in_post": True, "require_bank_wage": False},
     "source": "财税〔2015〕72号第7条；实际在岗、银行代发为审核惯例（policy-rules R2.3 (b)）"},
    # §4 levy
    {"key": "cap_multiplier", "valid_from": "2018-01-01", "valid_to": "2021-12-31", "value": "1.0", "confirmed": True,
     "source": "天津2019年通知：社会平均工资或单位在职职工平均工资孰低（policy-rules R4.1, [S7]）",
     "note": "2019–2021征收年度待市残联确认"},
    {"key": "cap_multiplier", "valid_from": "2022-01-01", "value": "2.0", "confirmed": True,
     "source": "天津税务/残联/财政2023年第2号通告：本市职工年平均工资的2倍（[S10]）"},
    {"key": "social_avg_wage", "valid_from": "2022-01-01", "value": "120000", "confirmed": False,
     "source": "示例值（policy-rules R4.8），须替换为市人社局公布的本市职工年平均工资"},
    {"key": "levy_tiers", "valid_from": "2020-01-01", "valid_to": "2027-12-31", "confirmed": True,
     "value": {"threshold": "0.01", "rate_at_or_above": "0.5", "rate_below": "0.9"},
     "source": "财政部公告2019年第98号第3条；财政部公告2023年第8号第1条（延至2027-12-31）"},
    {"key": "small_enterprise_exemption", "valid_from": "2020-01-01", "valid_to": "2027-12-31", "confirmed": True,
     "value": {"max_staff": 30, "kinds": ["enterprise", "soe"]},
     "source": "财政部公告2019年第98号第4条；财政部公告2023年第8号第2条"},
    {"key": "late_fee_rate_daily", "valid_from": "2015-01-01", "value": "0.005", "confirmed": True,
     "source": "财税〔2015〕72号第26条；《残疾人就业条例》第27条（每日5‰滞纳金）"},
    {"key": "min_wage_monthly", "valid_from": "2021-07-01", "value": "2180", "confirmed": False,
     "source": "天津市月最低工资标准（待市人社局文件确认）"},
    {"key": "min_wage_monthly", "valid_from": "2023-01-01", "value": "2320", "confirmed": False,
     "source": "天津市月最低工资标准（待市人社局文件确认）"},
    {"key": "working_age", "valid_from": "1900-01-01", "confirmed": False,
     "value": {"min_age": 16, "male_max_age": 59, "female_max_age": 54},
     "source": "全国残疾人就业和职业培训信息管理系统口径（policy-rules R14.2 (b)）；延迟退休改革后按出生日期调整",
     "note": "valid_from/valid_to 按出生日期解释：不同出生年代可设不同上限"},
    {"key": "difficulty_certification", "valid_from": "2021-01-01", "confirmed": False,
     "value": {"validity_months": 36, "exit_on_reemployment": True, "exempt_forms": ["public_welfare"],
               "review_days": 15},
     "source": "policy-rules R11.1 (b)：认定程序、有效期与退出规则未取得原文，暂按三年有效、再就业即退出（安置公益性岗位不退出）配置"},
    {"key": "public_welfare_post", "valid_from": "2021-01-01", "confirmed": False,
     "value": {"max_years": 3, "near_retirement_years": 5},
     "source": "policy-rules R11.2 (b, [S28b])：公益性岗位补贴期限一般不超过3年，距退休不足5年的可延长"},
    # §3 windows (keyed by the year in which the declaration happens)
    {"key": "declaration_window", "valid_from": "2023-01-01", "valid_to": "2023-12-31", "confirmed": True,
     "value": {"start": "03-01", "end": "10-31"}, "source": "天津2023年审核认定通知（[S9]）"},
    {"key": "levy_window", "valid_from": "2023-01-01", "valid_to": "2023-12-31", "confirmed": True,
     "value": {"start": "09-01", "end": "10-31"}, "source": "天津2023年第2号通告（[S10]）"},
    {"key": "levy_window", "valid_from": "2025-01-01", "valid_to": "2025-12-31", "confirmed": False,
     "value": {"start": "09-25", "end": "10-31"}, "source": "二手汇编（[S11]），待确认"},
    {"key": "declaration_window", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "confirmed": False,
     "value": {"start": "03-01", "end": "10-31"}, "source": "二手汇编（[S11]），待确认"},
    # §5–§8 rewards and subsidies: all (b)
    {"key": "over_quota_reward", "valid_from": "2024-01-01", "confirmed": False,
     "value": {"per_person_year_max": "9600", "unit_cap": None, "integer_persons_only": True, "max_years": None,
               "exclude_centralised": True},
     "source": "市残联“二十问”二手摘要：每超1人每年最高9600元（[S12]），未核实"},
    {"key": "new_hire_subsidy", "valid_from": "2024-01-01", "confirmed": False,
     "value": {"rates_by_type": {"1": ["0.50", "0.55", "0.60"], "2": ["0.35", "0.40", "0.45"],
                                 "3": ["0.25", "0.30", "0.35"], "4": ["0.15", "0.20", "0.25"]},
               "min_contract_months": 12, "not_employed_by_same_unit_months": 12},
     "source": "候选模板（policy-rules R6.2 (b)，城市未知），待天津文件确认"},
    {"key": "internship_subsidy", "valid_from": "2024-01-01", "confirmed": False,
     "value": {"min_months": 3, "max_months": 12, "monthly_rate_of_min_wage": "1.0", "retention_bonus": "0",
               "graduate_within_years": 2, "youth_age_range": [16, 24]},
     "source": "大连青年见习规则（policy-rules R7.1 (b)），待确认"},
    {"key": "self_employment_subsidy", "valid_from": "2024-01-01", "confirmed": False,
     "value": {"one_off_amount": "5000", "min_operating_months": 12, "min_si_months": 6,
               "rent_cap_per_year": "12000", "once_per_lifetime": True},
     "source": "舟山示例（policy-rules R8.3 (b)），待确认"},
    # §12 public-sector rule
    {"key": "public_sector_rule", "valid_from": "2021-01-01", "valid_to": "2025-12-31", "confirmed": True,
     "value": {"agency_min_posts": 50, "agency_levels": ["city", "district"], "institution_min_posts": 67,
               "exclude_schools": True},
     "source": "津政办函〔2022〕28号（十四五期间至少安排1名）"},
    {"key": "public_sector_rule", "valid_from": "2026-01-01", "valid_to": "2027-12-31", "confirmed": False,
     "value": {"agency_min_posts": 50, "agency_levels": ["city", "district"], "institution_min_posts": 67,
               "exclude_schools": True},
     "source": "国办发〔2025〕23号摘要（[S14b]），天津层级待确认"},
    # §13 credit events
    {"key": "credit_event_mapping", "valid_from": "2022-01-01", "confirmed": False,
     "value": {"LEVY_UNPAID_AFTER_DEADLINE": "general", "LEVY_REFUSED_AFTER_ORDER": "serious",
               "RATIO_UNMET_AND_UNPAID": "general", "FALSE_DECLARATION": "serious"},
     "source": "丰县分级示例（policy-rules R13 (b)），待确认"},
    {"key": "credit_due_process", "valid_from": "2022-01-01", "confirmed": False,
     "value": {"rectification_days": 15, "objection_days": 10, "working_days": True, "levy_grace_days": 0},
     "source": "失信信息推送前的预先告知、整改期与异议期（policy-rules R13 (b)），期限待市残联确认",
     "note": "rectification_days/objection_days 自预先告知之日起计；working_days 为真时按工作日（周一至周五）计；"
             "levy_grace_days 为保障金缴纳期届满后再等待的自然日数"},
    # KPI
    {"key": "new_jobs_target", "valid_from": "2022-01-01", "valid_to": "2024-12-31", "confirmed": True,
     "value": 15000, "source": "津政办函〔2022〕28号：2022—2024年新增残疾人就业1.5万人"},
]  # fmt: skip
