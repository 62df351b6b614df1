"""Pure rules of the employer registry: which fields a kind of unit needs, whether the credit code
agrees with the kind, and whether the public-sector rule (policy-rules §12) applies.  No Django.

Forms, actions and the Excel import all call ``field_errors`` and ``code_warnings``, so a unit is
judged the same way whichever way it arrives.  A kind that disagrees with the credit code is a
*warning* (old codes and re-registered units exist; the officer decides), every other message here
is an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from ablework.core.identifiers import USCC

# Stored values of ``employers.enums`` (plain strings: this module imports no Django).
ENTERPRISE = "enterprise"
SOE = "soe"
AGENCY = "agency"
INSTITUTION = "institution"
SOCIAL_ORG = "social_org"
INDIVIDUAL = "individual"
KIND_LABELS = {
    ENTERPRISE: "企业",
    SOE: "国有企业",
    AGENCY: "机关",
    INSTITUTION: "事业单位",
    SOCIAL_ORG: "社会组织",
    INDIVIDUAL: "个体工商户",
}
AGENCY_LEVEL_LABELS = {"city": "市级", "district": "区级", "township": "乡镇（街道）级"}
ESTABLISHMENT_KINDS = frozenset({AGENCY, INSTITUTION})  # units with an authorised establishment (编制)
MAX_ESTABLISHMENT = 1_000_000

# GB 32100: the first two characters (registration department + organisation category) and the kinds
# of unit they are issued to.  A prefix not listed here (司法行政, 宗教, 工会, 其他…) says nothing.
KINDS_BY_PREFIX: dict[str, frozenset[str]] = {
    "11": frozenset({AGENCY}),
    "12": frozenset({INSTITUTION}),
    "13": frozenset({SOCIAL_ORG}),  # 群众团体
    "51": frozenset({SOCIAL_ORG}),  # 社会团体
    "52": frozenset({SOCIAL_ORG}),  # 民办非企业单位
    "53": frozenset({SOCIAL_ORG}),  # 基金会
    "91": frozenset({ENTERPRISE, SOE}),
    "92": frozenset({INDIVIDUAL}),
    "93": frozenset({ENTERPRISE}),  # 农民专业合作社
}


def field_errors(
    *,
    name: str,
    kind: str,
    agency_level: str,
    establishment_size: int | None,
    is_school: bool,
) -> dict[str, str]:
    """The errors of one unit's fields, by field name (empty when the unit is consistent)."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = "单位名称不能为空"
    if kind not in KIND_LABELS:
        errors["kind"] = f"单位类型应为：{'、'.join(KIND_LABELS.values())}"
        return errors
    label = KIND_LABELS[kind]
    if kind == AGENCY:
        if not agency_level:
            errors["agency_level"] = "机关须选择层级（市级、区级或乡镇（街道）级）"
        elif agency_level not in AGENCY_LEVEL_LABELS:
            errors["agency_level"] = f"机关层级应为：{'、'.join(AGENCY_LEVEL_LABELS.values())}"
    elif agency_level:
        errors["agency_level"] = f"只有机关填写层级，{label}不填写"
    if kind in ESTABLISHMENT_KINDS:
        if establishment_size is None:
            errors["establishment_size"] = "机关、事业单位须填写编制数（核定编制人数）"
        elif not 0 <= establishment_size <= MAX_ESTABLISHMENT:
            errors["establishment_size"] = f"编制数应为0至{MAX_ESTABLISHMENT}之间的整数"
    elif establishment_size is not None:
        errors["establishment_size"] = f"只有机关、事业单位填写编制数，{label}不填写"
    if is_school and kind != INSTITUTION:
        errors["is_school"] = f"“中小学或幼儿园”只适用于事业单位，{label}不能勾选"
    return errors


def expected_kinds(code: USCC) -> frozenset[str]:
    """The kinds a unit with this credit code can be (empty: the code does not tell)."""
    return KINDS_BY_PREFIX.get(code.code[:2], frozenset())


def suggested_kind(code: USCC) -> str | None:
    """The kind the code points to, when it points to exactly one (91 → 企业: a state-owned enterprise
    has the same prefix and is chosen by hand)."""
    kinds = expected_kinds(code)
    if code.code[:2] == "91":
        return ENTERPRISE
    return next(iter(kinds)) if len(kinds) == 1 else None


def code_warnings(code: USCC, kind: str) -> list[str]:
    """Warnings for the officer: the parser's own notes, and a kind the code does not agree with."""
    warnings = list(code.warnings)
    kinds = expected_kinds(code)
    if kinds and kind in KIND_LABELS and kind not in kinds:
        prefix = code.code[:2]
        warnings.append(
            f"统一社会信用代码前两位“{prefix}”表示{code.registration_dept_label}部门登记的{code.org_category_label}，"
            f"与所选单位类型“{KIND_LABELS[kind]}”不一致，请核实单位类型或代码"
        )
    return warnings


# --- the public-sector rule (§12) ------------------------------------------------------------------


@dataclass(frozen=True)
class PublicSectorRule:
    """Parameter ``public_sector_rule`` (R12.1): which agencies and institutions must place at least
    one person."""

    agency_min_posts: int
    agency_levels: frozenset[str]
    institution_min_posts: int
    exclude_schools: bool

    @classmethod
    def from_value(cls, value: dict[str, object]) -> PublicSectorRule:
        levels = value.get("agency_levels") or []
        return cls(
            agency_min_posts=int(str(value["agency_min_posts"])),
            agency_levels=frozenset(str(v) for v in levels) if isinstance(levels, list | tuple) else frozenset(),
            institution_min_posts=int(str(value["institution_min_posts"])),
            exclude_schools=bool(value.get("exclude_schools", True)),
        )


@dataclass(frozen=True)
class PublicSectorCheck:
    subject: bool  # the unit falls under the "at least one person" rule
    reason: str


def public_sector_subject(
    *,
    kind: str,
    agency_level: str,
    establishment_size: int | None,
    is_school: bool,
    rule: PublicSectorRule,
) -> PublicSectorCheck:
    """Whether an agency or institution falls under R12.1 by its level, 编制 and school flag.  (The
    ratio and the persons placed are the annual review's part of the rule.)"""
    if kind not in ESTABLISHMENT_KINDS:
        return PublicSectorCheck(False, f"{KIND_LABELS.get(kind, kind)}不是机关或事业单位")
    if establishment_size is None:
        return PublicSectorCheck(False, "未填写编制数，无法判断")
    if kind == AGENCY:
        level = AGENCY_LEVEL_LABELS.get(agency_level, "未填写层级的")
        if agency_level not in rule.agency_levels:
            levels = "、".join(AGENCY_LEVEL_LABELS.get(v, v) for v in sorted(rule.agency_levels))
            return PublicSectorCheck(False, f"{level}机关，规定只适用于{levels or '（未配置）'}机关")
        if establishment_size < rule.agency_min_posts:
            return PublicSectorCheck(False, f"{level}机关，编制{establishment_size}名，少于{rule.agency_min_posts}名")
        return PublicSectorCheck(True, f"{level}机关，编制{establishment_size}名（不少于{rule.agency_min_posts}名）")
    if is_school and rule.exclude_schools:
        return PublicSectorCheck(False, "中小学、幼儿园不适用")
    if establishment_size < rule.institution_min_posts:
        return PublicSectorCheck(False, f"事业单位，编制{establishment_size}名，少于{rule.institution_min_posts}名")
    return PublicSectorCheck(True, f"事业单位，编制{establishment_size}名（不少于{rule.institution_min_posts}名）")
