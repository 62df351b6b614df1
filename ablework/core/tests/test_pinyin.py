"""Pinyin of personal names: surnames read from the surname table, ü as v, initials."""

from __future__ import annotations

import pytest
from pypinyin import Style, lazy_pinyin

from ablework.core.pinyin import is_pinyin_query, name_initials, name_pinyin, name_syllables


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),  # 单 as a surname is shan, not dan
        ("曾国藩", "zengguofan", "zgf"),  # not ceng
        ("解缙", "xiejin", "xj"),  # not jie
        ("仇英", "qiuying", "qy"),  # not chou
        ("朴树", "piaoshu", "ps"),  # not pu
        ("区志伟", "ouzhiwei", "ozw"),  # not qu
        ("吕布", "lvbu", "lb"),  # ü written v, as in input methods
        ("欧阳修", "ouyangxiu", "oyx"),  # compound surnames before single ones
        ("诸葛亮", "zhugeliang", "zgl"),
        ("长孙无忌", "zhangsunwuji", "zswj"),  # 长 of 长孙 is zhang, the single surname 长 is chang
        ("尉迟恭", "yuchigong", "ycg"),
        ("张三", "zhangsan", "zs"),
    ],
)
def test_name_pinyin_and_initials(name: str, pinyin: str, initials: str) -> None:
    assert name_pinyin(name) == pinyin
    assert name_initials(name) == initials


def test_surname_table_overrides_the_common_reading() -> None:
    # Without the table the library reads the character as in ordinary words.
    assert lazy_pinyin("单", style=Style.NORMAL) == ["dan"]
    assert name_syllables("单") == ("shan",)
    assert name_pinyin("长江") == "changjiang"  # the single surname 长


def test_only_the_surname_uses_the_table() -> None:
    # 单 later in a name keeps its ordinary reading: only the first character is a surname.
    assert name_pinyin("王单") == "wangdan"


def test_spaces_and_middle_dots_are_ignored() -> None:
    assert name_pinyin("张 三") == "zhangsan"
    assert name_pinyin("阿依古丽·买买提") == "ayigulimaimaiti"
    assert name_initials("阿依古丽·买买提") == "ayglmmt"
    assert name_pinyin("") == "" and name_initials(" ") == ""


def test_pinyin_query_detection() -> None:
    assert is_pinyin_query("shantian")
    assert is_pinyin_query("shan tian")
    assert is_pinyin_query("STF")
    assert not is_pinyin_query("单田芳")
    assert not is_pinyin_query("stf1")
    assert not is_pinyin_query("   ")
