"""Pinyin of Chinese personal names, for search by full pinyin or initials.

``pypinyin`` reads characters as in ordinary words, which is wrong for many surnames (单田芳 is
Shan, not Dan; 曾 is Zeng, 解 is Xie).  The surname is therefore read from ``SURNAMES`` first —
compound surnames (欧阳, 长孙 …) before single ones — and the rest of the name by ``pypinyin``.
Tones are dropped and ü is written ``v`` (as in pinyin input methods: 吕 → lv).
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the common reading of the character, and compound surnames.
SURNAMES: dict[str, tuple[str, ...]] = {
    # compound surnames
    "欧阳": ("ou", "yang"), "长孙": ("zhang", "sun"), "尉迟": ("yu", "chi"), "万俟": ("mo", "qi"),
    "单于": ("chan", "yu"), "澹台": ("tan", "tai"), "令狐": ("ling", "hu"), "司马": ("si", "ma"),
    "上官": ("shang", "guan"), "诸葛": ("zhu", "ge"), "皇甫": ("huang", "fu"), "公孙": ("gong", "sun"),
    "东方": ("dong", "fang"), "夏侯": ("xia", "hou"), "宇文": ("yu", "wen"), "慕容": ("mu", "rong"),
    "司徒": ("si", "tu"), "西门": ("xi", "men"), "南宫": ("nan", "gong"), "端木": ("duan", "mu"),
    # single surnames read differently from the ordinary word
    "单": ("shan",), "曾": ("zeng",), "解": ("xie",), "仇": ("qiu",), "查": ("zha",), "区": ("ou",),
    "朴": ("piao",), "翟": ("zhai",), "乐": ("yue",), "缪": ("miao",), "盖": ("ge",), "覃": ("qin",),
    "种": ("chong",), "宿": ("su",), "秘": ("bi",), "繁": ("po",), "员": ("yun",), "阚": ("kan",),
    "沈": ("shen",), "任": ("ren",), "华": ("hua",), "纪": ("ji",), "蔡": ("cai",), "贾": ("jia",),
    "柏": ("bai",), "卜": ("bu",), "薄": ("bo",), "尉": ("yu",), "召": ("shao",), "折": ("she",),
    "那": ("na",), "隗": ("wei",), "冼": ("xian",), "莘": ("shen",), "句": ("gou",), "眭": ("sui",),
    "谌": ("chen",), "泌": ("bi",), "郇": ("huan",), "逄": ("pang",), "藏": ("zang",), "都": ("du",),
    "便": ("pian",), "相": ("xiang",), "重": ("chong",), "约": ("yao",), "曲": ("qu",), "南": ("nan",),
    "黑": ("he",), "过": ("guo",), "能": ("nai",), "长": ("chang",), "大": ("da",), "牟": ("mou",),
    "石": ("shi",), "车": ("che",), "喻": ("yu",), "燕": ("yan",), "应": ("ying",), "祭": ("zhai",),
    "殷": ("yin",), "的": ("di",), "焉": ("yan",), "奇": ("ji",), "郝": ("hao",), "葛": ("ge",),
    "吕": ("lv",), "闵": ("min",), "尹": ("yin",), "贲": ("ben",), "鲜": ("xian",), "洗": ("xian",),
}  # fmt: skip


def _syllables(text: str) -> list[str]:
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, v_to_u=False, errors="ignore")]


@lru_cache(maxsize=65536)
def name_syllables(name: str) -> tuple[str, ...]:
    """Syllables of a name, surname first from the table: 单田芳 → ('shan', 'tian', 'fang')."""
    name = "".join(name.split()).replace("·", "").replace("•", "")
    if not name:
        return ()
    for size in (2, 1):
        head = name[:size]
        if len(head) == size and head in SURNAMES:
            return SURNAMES[head] + tuple(_syllables(name[size:]))
    return tuple(_syllables(name))


def name_pinyin(name: str) -> str:
    """Full pinyin without tones or spaces: 单田芳 → ``shantianfang``; 吕 → ``lv``."""
    return "".join(name_syllables(name)).replace("ü", "v")


def name_initials(name: str) -> str:
    """Initial letters: 单田芳 → ``stf``."""
    return "".join(s[0] for s in name_syllables(name) if s)


def is_pinyin_query(text: str) -> bool:
    """A query of ASCII letters only (and spaces) is searched as pinyin or initials."""
    t = text.replace(" ", "")
    return bool(t) and t.isascii() and t.isalpha()
