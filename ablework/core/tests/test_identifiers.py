from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ablework.core.identifiers import (
    USCC_ALPHABET,
    DisabilityCertError,
    ResidentIdError,
    USCCError,
    parse_disability_cert,
    parse_resident_id,
    parse_uscc,
    resident_id_check_char,
    uscc_check_char,
)

# --- worked examples from policy-rules §15 ---------------------------------------------------


@pytest.mark.parametrize(
    ("number", "region", "birth", "male"),
    [
        ("11010519491231002X", "110105", date(1949, 12, 31), False),
        ("440524188001010014", "440524", date(1880, 1, 1), True),
        ("120101199003070013", "120101", date(1990, 3, 7), True),
        ("120116198506150023", "120116", date(1985, 6, 15), False),
    ],
)
def test_standard_resident_ids_parse(number: str, region: str, birth: date, male: bool) -> None:
    rid = parse_resident_id(number)
    assert (rid.number, rid.region_code, rid.birth_date, rid.is_male) == (number, region, birth, male)


def test_lower_case_x_is_normalised() -> None:
    assert parse_resident_id(" 11010519491231002x ").number == "11010519491231002X"


def test_unknown_region_is_accepted() -> None:
    # R2.2: never reject an ID because of its region (990000 is no real region).
    first17 = "99000019900307001"
    assert parse_resident_id(first17 + resident_id_check_char(first17)).region_code == "990000"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("12010119900307001", "长度应为18位"),
        ("1201011990030700131", "长度应为18位"),
        ("12010119900307A013", "前17位必须是数字"),
        ("12010119900230001X", "不是有效日期"),
        ("120101199003070014", "校验位错误：应为3"),
        ("12010119900307001Y", "第18位"),
    ],
)
def test_bad_resident_ids_say_what_is_wrong(number: str, fragment: str) -> None:
    with pytest.raises(ResidentIdError) as exc:
        parse_resident_id(number)
    assert fragment in str(exc.value)


def test_masking_keeps_region_and_last_four() -> None:
    assert parse_resident_id("120101199003070013").masked == "120101********0013"


@pytest.mark.parametrize(
    ("number", "category", "level", "suffix"),
    [
        ("12010119900307001342", 4, 2, ""),
        ("12010119900307001351", 5, 1, ""),
        ("12010119900307001374", 7, 4, ""),
        ("12010119900307001342B1", 4, 2, "B1"),
    ],
)
def test_disability_certificates(number: str, category: int, level: int, suffix: str) -> None:
    cert = parse_disability_cert(number)
    assert (cert.category, cert.level, cert.suffix) == (category, level, suffix)
    assert cert.resident_id.number == "120101199003070013"
    assert cert.number == number[:20]


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("12010119900307001382", "残疾类别"),
        ("12010119900307001345", "残疾等级"),
        ("12010119900307001442", "前18位不是有效的身份证号"),
        ("12010119900307001342C1", "补发后缀"),
        ("1201011990030700134", "长度应为20位"),
    ],
)
def test_bad_certificates(number: str, fragment: str) -> None:
    with pytest.raises(DisabilityCertError) as exc:
        parse_disability_cert(number)
    assert fragment in str(exc.value)


@pytest.mark.parametrize(
    ("code", "dept", "cat", "region"),
    [
        ("91350100M000100Y43", "9", "1", "350100"),
        ("911201161234567885", "9", "1", "120116"),
        ("12120000401360592D", "1", "2", "120000"),
        ("92120113L12345674H", "9", "2", "120113"),
    ],
)
def test_uscc_examples(code: str, dept: str, cat: str, region: str) -> None:
    u = parse_uscc(code)
    assert (u.code, u.registration_dept, u.org_category, u.region_code) == (code, dept, cat, region)


def test_uscc_labels_and_individual_business() -> None:
    u = parse_uscc("92120113L12345674H")
    assert u.is_individual_business and u.org_category_label == "个体工商户"
    assert parse_uscc("12120000401360592D").org_category_label == "事业单位"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("91350100M000100Y4Z", "不允许的字符"),
        ("91350100M000100Y44", "校验位错误：应为3"),
        ("91350100M000100Y4", "长度应为18位"),
        ("913501O0M000100Y43", "不允许的字符"),
        ("91AB0100M000100Y43", "第3至8位"),
    ],
)
def test_bad_uscc(code: str, fragment: str) -> None:
    with pytest.raises(USCCError) as exc:
        parse_uscc(code)
    assert fragment in str(exc.value)


def test_errors_are_value_errors() -> None:
    for exc_type in (ResidentIdError, DisabilityCertError, USCCError):
        assert issubclass(exc_type, ValueError)


# --- property tests ------------------------------------------------------------------------

_region = st.from_regex(r"\A[1-6][0-9]{5}\Z")
_birth = st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31))
_seq = st.integers(min_value=0, max_value=999)


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    first17 = f"{draw(_region)}{draw(_birth):%Y%m%d}{draw(_seq):03d}"
    return first17 + resident_id_check_char(first17)


@st.composite
def usccs(draw: st.DrawFn) -> str:
    body = draw(st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9))
    first17 = f"{draw(st.sampled_from(['11', '12', '51', '52', '91', '92', '93']))}{draw(_region)}{body}"
    return first17 + uscc_check_char(first17)


@settings(max_examples=300, deadline=None)
@given(resident_ids())
def test_every_valid_resident_id_parses(number: str) -> None:
    rid = parse_resident_id(number)
    assert rid.number == number
    assert rid.is_male == (int(number[16]) % 2 == 1)


@settings(max_examples=300, deadline=None)
@given(resident_ids(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_character_change_of_a_resident_id_is_rejected(number: str, pos: int, char: str) -> None:
    changed = number[:pos] + char + number[pos + 1 :]
    if changed == number:
        return
    # MOD 11-2 detects every single-character substitution.
    with pytest.raises(ResidentIdError):
        parse_resident_id(changed)


@settings(max_examples=200, deadline=None)
@given(resident_ids(), st.integers(1, 7), st.integers(1, 4))
def test_every_valid_certificate_parses(number: str, cat: int, level: int) -> None:
    cert = parse_disability_cert(f"{number}{cat}{level}")
    assert (cert.category, cert.level, cert.resident_id.number) == (cat, level, number)


@settings(max_examples=300, deadline=None)
@given(usccs())
def test_every_valid_uscc_parses(code: str) -> None:
    assert parse_uscc(code).code == code


@settings(max_examples=300, deadline=None)
@given(usccs(), st.integers(min_value=0, max_value=17), st.sampled_from(USCC_ALPHABET + "IOSVZ"))
def test_any_single_character_change_of_a_uscc_is_rejected(code: str, pos: int, char: str) -> None:
    changed = code[:pos] + char + code[pos + 1 :]
    if changed == code:
        return
    with pytest.raises(USCCError):
        parse_uscc(changed)


def test_future_and_ancient_dates_are_calendar_checked() -> None:
    leap = date(2000, 2, 29)
    first17 = f"120101{leap:%Y%m%d}001"
    assert parse_resident_id(first17 + resident_id_check_char(first17)).birth_date == leap
    first17 = "12010119000229001"  # 1900 is not a leap year
    with pytest.raises(ResidentIdError, match="不是有效日期"):
        parse_resident_id(first17 + resident_id_check_char(first17))
