"""Parsers for the identifiers AbleWork handles (policy-rules.md §15).

Each parser normalises its input, checks it fully and returns a frozen value object, or raises
one error type (a ``ValueError`` subclass) whose Chinese message says exactly what is wrong.
Forms, model fields, importers and the API all call these; nothing else validates identifiers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "USCC",
    "DisabilityCert",
    "DisabilityCertError",
    "IdentifierError",
    "ResidentId",
    "ResidentIdError",
    "USCCError",
    "disability_category_label",
    "parse_disability_cert",
    "parse_resident_id",
    "parse_uscc",
    "resident_id_check_char",
    "uscc_check_char",
]


class IdentifierError(ValueError):
    """Base of the identifier errors; ``str(err)`` is a Chinese message for the user."""


class ResidentIdError(IdentifierError):
    pass


class DisabilityCertError(IdentifierError):
    pass


class USCCError(IdentifierError):
    pass


# --- 居民身份证号 (GB 11643-1999, ISO 7064 MOD 11-2) -------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_check_char(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


@dataclass(frozen=True, slots=True)
class ResidentId:
    number: str
    region_code: str
    birth_date: date
    is_male: bool

    def __str__(self) -> str:
        return self.number

    @property
    def sex(self) -> str:
        return "M" if self.is_male else "F"

    @property
    def masked(self) -> str:
        return mask_resident_id(self.number)


def mask_resident_id(number: str) -> str:
    """``120101********0013``: region code and last four characters only."""
    if len(number) < 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def parse_resident_id(value: str) -> ResidentId:
    if not isinstance(value, str):
        raise ResidentIdError("身份证号必须是文本")
    number = value.strip().upper()
    if len(number) != 18:
        raise ResidentIdError(f"身份证号长度应为18位，实际为{len(number)}位")
    if not number[:17].isdigit() or not number[:17].isascii():
        raise ResidentIdError("身份证号前17位必须是数字")
    if not (number[17].isdigit() and number[17].isascii()) and number[17] != "X":
        raise ResidentIdError("身份证号第18位（校验位）必须是数字或X")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ResidentIdError(f"身份证号中的出生日期{number[6:14]}不是有效日期") from None
    if birth.year < 1850:
        raise ResidentIdError(f"身份证号中的出生日期{number[6:14]}不是有效日期")
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise ResidentIdError(f"身份证号校验位错误：应为{expected}，实际为{number[17]}")
    return ResidentId(
        number=number,
        region_code=number[:6],
        birth_date=birth,
        is_male=int(number[16]) % 2 == 1,
    )


# --- 残疾人证号 (second-generation certificate: 18-char ID + category + level [+ reissue suffix]) --

DISABILITY_CATEGORIES = {
    1: "视力残疾",
    2: "听力残疾",
    3: "言语残疾",
    4: "肢体残疾",
    5: "智力残疾",
    6: "精神残疾",
    7: "多重残疾",
}


def disability_category_label(category: int) -> str:
    return DISABILITY_CATEGORIES[category]


_CERT_SUFFIX = re.compile(r"B\d+")


@dataclass(frozen=True, slots=True)
class DisabilityCert:
    number: str  # the 20-character base number, without the reissue suffix
    resident_id: ResidentId
    category: int
    level: int
    suffix: str

    def __str__(self) -> str:
        return self.full_number

    @property
    def full_number(self) -> str:
        return self.number + self.suffix

    @property
    def category_label(self) -> str:
        return DISABILITY_CATEGORIES[self.category]


def parse_disability_cert(value: str) -> DisabilityCert:
    if not isinstance(value, str):
        raise DisabilityCertError("残疾人证号必须是文本")
    number = value.strip().upper()
    if len(number) < 20:
        raise DisabilityCertError(f"残疾人证号长度应为20位（可带补发后缀如B1），实际为{len(number)}位")
    base, suffix = number[:20], number[20:]
    if suffix and not _CERT_SUFFIX.fullmatch(suffix):
        raise DisabilityCertError(f"残疾人证号补发后缀“{suffix}”格式不正确，应为B加数字，如B1")
    try:
        rid = parse_resident_id(base[:18])
    except ResidentIdError as exc:
        raise DisabilityCertError(f"残疾人证号前18位不是有效的身份证号：{exc}") from None
    if not base[18].isdigit() or not 1 <= int(base[18]) <= 7:
        raise DisabilityCertError(f"残疾人证号第19位（残疾类别）应为1至7，实际为{base[18]}")
    if not base[19].isdigit() or not 1 <= int(base[19]) <= 4:
        raise DisabilityCertError(f"残疾人证号第20位（残疾等级）应为1至4，实际为{base[19]}")
    return DisabilityCert(number=base, resident_id=rid, category=int(base[18]), level=int(base[19]), suffix=suffix)


# --- 统一社会信用代码 (GB 32100-2015) ----------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))

REGISTRATION_DEPTS = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "市场监管",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
ORG_CATEGORIES = {
    ("1", "1"): "机关",
    ("1", "2"): "事业单位",
    ("1", "3"): "群众团体",
    ("5", "1"): "社会团体",
    ("5", "2"): "民办非企业单位",
    ("5", "3"): "基金会",
    ("9", "1"): "企业",
    ("9", "2"): "个体工商户",
    ("9", "3"): "农民专业合作社",
}


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_code_check(b8: str) -> str:
    """GB 11714 check of the organisation code (positions 9–16), letters A=10 … Z=35."""
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    s = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(b8, weights, strict=True))
    r = 11 - s % 11
    return {10: "X", 11: "0"}.get(r, str(r))


@dataclass(frozen=True, slots=True)
class USCC:
    code: str
    registration_dept: str  # the character, e.g. "9"
    org_category: str  # the character, e.g. "1"
    region_code: str
    org_code: str
    warnings: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.code

    @property
    def registration_dept_label(self) -> str:
        return REGISTRATION_DEPTS.get(self.registration_dept, "未知")

    @property
    def org_category_label(self) -> str:
        return ORG_CATEGORIES.get((self.registration_dept, self.org_category), "其他")

    @property
    def is_individual_business(self) -> bool:
        return self.registration_dept == "9" and self.org_category == "2"


def parse_uscc(value: str) -> USCC:
    if not isinstance(value, str):
        raise USCCError("统一社会信用代码必须是文本")
    code = value.strip().upper()
    if len(code) != 18:
        raise USCCError(f"统一社会信用代码长度应为18位，实际为{len(code)}位")
    bad = sorted({c for c in code if c not in _USCC_VALUE})
    if bad:
        raise USCCError(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用I、O、S、V、Z）")
    if not code[2:8].isdigit():
        raise USCCError("统一社会信用代码第3至8位（登记管理机关行政区划码）必须是数字")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise USCCError(f"统一社会信用代码校验位错误：应为{expected}，实际为{code[17]}")
    warnings: list[str] = []
    org = code[8:17]
    if code[0] in "159" and all(c.isdigit() or "A" <= c <= "Z" for c in org[:8]):
        if org[8] != _org_code_check(org[:8]):
            # Old codes may not follow GB 11714; a warning, not an error (policy-rules §15.3).
            warnings.append("组织机构代码（第9至17位）校验位与GB 11714不符，请核实")
    return USCC(
        code=code,
        registration_dept=code[0],
        org_category=code[1],
        region_code=code[2:8],
        org_code=org,
        warnings=tuple(warnings),
    )
