"""Reads a published list of inspection targets (巡视/巡察对象公布) into plain data."""

# Unit names are stored with full-width brackets （）: newspapers print the same unit
# as 天津港(集团)有限公司 on one page and 天津港（集团）有限公司 on another, and both must
# be one unit. `AnnouncedInspection.unit`, its aliases and `Announcement.as_dict()` all
# use that storage form; compare printed text with it through `normalise_brackets()`.
#
# How the text is read, in order:
# 1. Punctuation is unified (half-width brackets, commas, semicolons and colons become
#    full-width) and all whitespace is dropped, so a sentence broken by a newspaper
#    column break reads as one; each kept character remembers where it was on the page.
# 2. The announcement sentence is the first one with "将对" (or "巡视对") followed by at
#    least one clause "对……开展……巡视/巡察"; it ends at the next 。！？ or the end of text.
# 3. Term, body, round and batch come from the last "十二届市委第六轮第一批" before "将对",
#    which is the sentence's own or, when the sentence names none, the heading's.
# 4. Each clause is one kind; its target list is split on 、 (outside brackets) and on
#    和/及/以及 where a new unit starts; each item loses its party-organisation word, and a
#    bracket group closing the item becomes its aliases.

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from workflows.errors import ApplicationError

__all__ = [
    "KINDS",
    "AnnouncedInspection",
    "Announcement",
    "AnnouncementError",
    "chinese_number",
    "normalise_brackets",
    "parse_announcement",
]

KINDS = ("regular", "thematic", "mobile", "look_back", "elevated")


class AnnouncementError(ApplicationError):
    """The text holds no announcement, or one that cannot be read without guessing."""

    code = "announcement.invalid"
    default_message = _("The announcement of inspection targets could not be read.")


@dataclass(frozen=True)
class AnnouncedInspection:
    """One unit named in the announcement, with the kind of inspection it will get."""

    unit: str
    aliases: tuple[str, ...]
    kind: str
    party_organisation: str = ""


@dataclass(frozen=True)
class Announcement:
    """Which round (and batch) inspects which units, as the announcement says."""

    term: int
    body: str
    round: int
    batch: int | None
    title: str
    inspections: tuple[AnnouncedInspection, ...]

    def as_dict(self) -> dict:
        return {
            "term": self.term,
            "body": self.body,
            "round": self.round,
            "batch": self.batch,
            "title": self.title,
            "inspections": [
                {
                    "unit": inspection.unit,
                    "aliases": list(inspection.aliases),
                    "kind": inspection.kind,
                }
                for inspection in self.inspections
            ],
        }


# --- Numbers and brackets -------------------------------------------------------------

_TO_FULL_WIDTH_BRACKETS = str.maketrans({"(": "（", ")": "）"})
# Names never contain commas, semicolons or colons, so unifying them is safe and lets
# every pattern below name one form only.
_TO_FULL_WIDTH_PUNCTUATION = str.maketrans({"(": "（", ")": "）", ",": "，", ";": "；", ":": "："})
_TO_ASCII_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

_CHINESE_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}


def normalise_brackets(text: str) -> str:
    """Half-width ( ) become full-width （ ）, the form unit names are stored in."""
    return text.translate(_TO_FULL_WIDTH_BRACKETS)


def chinese_number(text: str) -> int:
    """二十三 -> 23, 一百零五 -> 105, 二〇二五 -> 2025, 17 -> 17; ValueError otherwise."""
    text = text.strip().translate(_TO_ASCII_DIGITS)
    if text.isascii() and text.isdigit():
        return int(text)
    if not text or any(ch not in _CHINESE_DIGITS and ch not in _CHINESE_UNITS for ch in text):
        raise ValueError(f"not a number: {text!r}")
    if not any(ch in _CHINESE_UNITS for ch in text):
        # Digit by digit, as years and codes are written (二〇二五).
        return int("".join(str(_CHINESE_DIGITS[ch]) for ch in text))
    total, pending = 0, None
    for ch in text:
        if ch in _CHINESE_DIGITS:
            pending = _CHINESE_DIGITS[ch]
        else:
            # A unit without a digit before it counts once: 十一 is 11, 百 is 100.
            total += (1 if pending is None else pending) * _CHINESE_UNITS[ch]
            pending = None
    return total + (pending or 0)


# --- Patterns ---------------------------------------------------------------------------

# A number as printed: Arabic digits (half- or full-width) or Chinese numerals.
_NUMBER = r"[0-9０-９〇零一二两三四五六七八九十百千]+"

# "十二届市委第六轮第一批巡视": term, dispatching body (市委, 省委, 中央, 校党委 …, the
# shortest run of Han characters between 届 and 第), round, optional batch, and the word
# that says whether it is 巡视 or 巡察 (optional: a heading may end "第一批对象公布").
_ROUND_NAME = re.compile(
    rf"(?P<name>第?(?P<term>{_NUMBER})届(?P<body>[\u4e00-\u9fff]{{1,8}}?)"
    rf"第(?P<round>{_NUMBER})轮(?:第(?P<batch>{_NUMBER})批)?)"
    r"(?P<word>巡视|巡察)?"
)

# Where the list of targets starts: "将对", "将于近期对" …, or "巡视对" when 将 is left out.
# The 对 is kept in the match so that the clauses can be read from it.
# "对象" is never the start (a heading "…巡视对象公布" runs into the sentence once the
# whitespace between them is gone).
_TARGETS_START = re.compile(
    r"(?:将(?:于近期|于近日|近期|分别|陆续|同时)?|(?<=巡视|巡察))(?=对(?!象))"
)

# One clause: a separator (or the start), a few linking words (并, 同时, 还将 …), 对, the
# targets (no clause punctuation inside), 开展, the words naming the kind, 巡视/巡察, an
# optional quoted 回头看 after it, and an optional "：A、B、C" list for targets "以下…".
_CLAUSE = re.compile(
    r"(?:^|[，；])[^，；。：对]{0,6}?对"
    r"(?P<targets>[^，；。：]+?)"
    r"开展(?P<kind_words>[^，；。：]*?)(?P<word>巡视|巡察)"
    r"(?P<after>[“”‘’\"「」『』]*回头看[“”‘’\"「」『』]*)?"
    r"(?:：(?P<listed>[^，；。]+))?"
)

_SENTENCE_END = "。！？"

# "等17个单位党组织", "等十七个单位", "等3家单位", "等单位": 等, an optional count with its
# measure word, and a group noun that cannot hold 、 or another 等 (so the match can
# only start at the list's last 等, never inside a name such as 市男女平等促进会).
_GROUP_WITH_DENG = re.compile(rf"等(?:(?P<count>{_NUMBER})(?:个|家|所))?(?P<noun>[^、等]*)$")
# "3个单位党组织" without 等: only read as a group when the noun says so (see below).
_GROUP_WITHOUT_DENG = re.compile(rf"(?P<count>{_NUMBER})(?:个|家|所)(?P<noun>[^、等]*)$")
# Words that make a trailing noun a description of the whole list, not part of a name.
_GROUP_NOUNS = (
    "单位",
    "部门",
    "企业",
    "公司",
    "高校",
    "院校",
    "学校",
    "医院",
    "乡镇",
    "街道",
    "社区",
    "党组织",
    "党委",
    "党组",
    "党工委",
    "党支部",
    "机关",
)

# The party-organisation word closing an item, longest first so that 机关党委 wins over
# 党委; the bracketed form 党组（党委） is one word. Anchored at the end, so 市委组织部
# (with 委 and 组 inside) and 市纪委监委机关 (机关 without 党委) keep their names.
_PARTY_WORD = re.compile(
    r"(?:机关党委|党工委|党组织|党支部|党总支|党委|党组)(?:（(?:党委|党组|党工委|党组织)）)?$"
)

# 和, 及 and 以及 join the last two items of a list, but 和 also sits inside names
# (市文化和旅游局). A split needs a new unit to start after the word: one of these
# beginnings, or the first two characters of the clause's first item.
_UNIT_NAME_BEGINNINGS = (
    "市",
    "省",
    "区",
    "县",
    "州",
    "镇",
    "乡",
    "街道",
    "天津",
    "北京",
    "上海",
    "重庆",
    "中",
    "国",
    "全国",
)
# …and the text before the word to end like a complete unit name.
_UNIT_NAME_ENDINGS = (
    "局",
    "委",
    "办",
    "厅",
    "部",
    "院",
    "心",
    "司",
    "团",
    "学",
    "校",
    "会",
    "所",
    "站",
    "队",
    "社",
    "馆",
    "处",
    "室",
    "署",
    "行",
    "府",
    "区",
    "县",
    "市",
    "镇",
    "乡",
    "道",
    "联",
    "关",
    "场",
    "台",
    "园",
    "）",
)
_CONJUNCTION = re.compile(r"以及|及|和")

_WHITESPACE = re.compile(r"\s+")


# --- Reading the page -------------------------------------------------------------------


@dataclass(frozen=True)
class _Page:
    """The page with punctuation unified, and the same text without whitespace."""

    text: str
    flat: str
    origins: tuple[int, ...]  # origins[i] is where flat[i] stands in text

    @classmethod
    def of(cls, raw: str) -> _Page:
        text = raw.translate(_TO_FULL_WIDTH_PUNCTUATION)
        kept = [(index, ch) for index, ch in enumerate(text) if not ch.isspace()]
        return cls(
            text=text,
            flat="".join(ch for _, ch in kept),
            origins=tuple(index for index, _ in kept),
        )


@dataclass(frozen=True)
class _RoundName:
    term: int
    body: str
    round: int
    batch: int | None
    printed: str
    word: str

    @classmethod
    def of(cls, match: re.Match[str]) -> _RoundName:
        batch = match.group("batch")
        return cls(
            term=chinese_number(match.group("term")),
            body=match.group("body"),
            round=chinese_number(match.group("round")),
            batch=chinese_number(batch) if batch else None,
            printed=match.group("name"),
            word=match.group("word") or "",
        )

    def names_same_round_as(self, other: _RoundName) -> bool:
        return (self.term, self.body, self.round) == (other.term, other.body, other.round)


@dataclass(frozen=True)
class _Clause:
    number: int
    kind: str
    word: str
    items: tuple[str, ...]
    stated_count: int | None
    group_party_organisation: str
    printed: str


@dataclass(frozen=True)
class _Sentence:
    lead_in: str  # from the previous sentence's end up to the targets
    targets: str  # from the first 对 to the sentence's end
    page_start: int  # where the lead-in starts on the page
    page_targets_start: int  # where the targets start on the page


def parse_announcement(text: str) -> Announcement:
    """Read the announcement in `text` (alone or on a whole newspaper page)."""
    page = _Page.of(text)
    sentence, clauses = _first_announcement_in(page)
    round_name = _round_named_in(sentence)
    heading_line = _heading_line(round_name, page, sentence)
    heading = _RoundName.of(_ROUND_NAME.search(heading_line)) if heading_line else None
    batch = round_name.batch
    if batch is None and heading is not None:
        batch = heading.batch
    built_title = f"{round_name.printed}{round_name.word or clauses[0].word}对象公布"
    inspections = tuple(inspection for clause in clauses for inspection in _inspections_in(clause))
    _refuse_units_named_twice(inspections)
    return Announcement(
        term=round_name.term,
        body=round_name.body,
        round=round_name.round,
        batch=batch,
        title=heading_line or built_title,
        inspections=inspections,
    )


def _first_announcement_in(page: _Page) -> tuple[_Sentence, tuple[_Clause, ...]]:
    for start in _TARGETS_START.finditer(page.flat):
        sentence = _sentence_at(page, start.end())
        clauses = tuple(_clauses_in(sentence.targets))
        # "本轮巡视将对17个单位党组织开展常规巡视" (a report of the mobilisation meeting)
        # gives counts only: not the list, so look further.
        if any(clause.items for clause in clauses):
            _refuse_clauses_without_names(clauses)
            return sentence, clauses
    raise AnnouncementError(
        _(
            "No announcement of inspection targets was found in the text. It needs a "
            "sentence such as “十二届市委第六轮巡视将对……开展常规巡视”."
        ),
        code="announcement.not_found",
    )


def _sentence_at(page: _Page, targets_start: int) -> _Sentence:
    flat = page.flat
    start = max(flat.rfind(mark, 0, targets_start) for mark in _SENTENCE_END) + 1
    ends = [flat.find(mark, targets_start) for mark in _SENTENCE_END]
    end = min((index for index in ends if index >= 0), default=len(flat))
    return _Sentence(
        lead_in=flat[start:targets_start],
        targets=flat[targets_start:end],
        page_start=page.origins[start] if start < len(flat) else len(page.text),
        page_targets_start=page.origins[targets_start],
    )


def _round_named_in(sentence: _Sentence) -> _RoundName:
    matches = list(_ROUND_NAME.finditer(sentence.lead_in))
    if not matches:
        raise AnnouncementError(
            _(
                "The announcement does not say which term and round it belongs to: "
                "neither its sentence nor its heading names one such as “十二届市委第六轮”."
            ),
            code="announcement.no_round",
        )
    # The nearest one: the sentence's own when it has one, else the heading's.
    return _RoundName.of(matches[-1])


def _heading_line(round_name: _RoundName, page: _Page, sentence: _Sentence) -> str | None:
    # The line holding the targets' start belongs to the sentence, not to a heading.
    lines = page.text[sentence.page_start : sentence.page_targets_start].splitlines()[:-1]
    for line in reversed(lines):
        line = _WHITESPACE.sub("", line)
        if not line or "，" in line:
            # Headings have no commas; a line with one is the sentence broken by the layout.
            continue
        match = _ROUND_NAME.search(line)
        if match and _RoundName.of(match).names_same_round_as(round_name):
            return line
    return None


# --- Clauses ----------------------------------------------------------------------------


def _clauses_in(targets: str) -> Iterator[_Clause]:
    for number, match in enumerate(_CLAUSE.finditer(targets), start=1):
        yield _clause_from(number, match)


def _clause_from(number: int, match: re.Match[str]) -> _Clause:
    printed = match.group(0).lstrip("，；")
    kind_words = match.group("kind_words") + (match.group("after") or "")
    kind = _kind_named_by(kind_words)
    if kind is None:
        raise AnnouncementError(
            _(
                "Clause %(number)d (“%(clause)s”) names a kind of inspection the system "
                "does not know: “%(words)s”. Known kinds are 常规, 专项, 机动, 回头看 and 提级."
            )
            % {"number": number, "clause": _shortened(printed), "words": kind_words},
        )
    targets = match.group("targets")
    if targets.startswith("以下"):
        targets = _targets_listed_after_colon(number, match, printed)
    list_text, stated_count, group_party = _without_group_phrase(targets)
    return _Clause(
        number=number,
        kind=kind,
        word=match.group("word"),
        items=tuple(_items_in(list_text, number, printed)) if list_text else (),
        stated_count=stated_count,
        group_party_organisation=group_party,
        printed=printed,
    )


def _targets_listed_after_colon(number: int, match: re.Match[str], printed: str) -> str:
    # "对以下3个单位开展常规巡视：A、B、C": the names follow the colon, while the count
    # and the group noun stay in "以下…"; rejoined, they read like "A、B、C等3个单位".
    listed = match.group("listed")
    if not listed:
        raise AnnouncementError(
            _("Clause %(number)d (“%(clause)s”) announces a list of units but none follows it.")
            % {"number": number, "clause": _shortened(printed)},
        )
    return listed + "等" + match.group("targets").removeprefix("以下")


def _kind_named_by(words: str) -> str | None:
    # Checked from the most specific: "专项巡视“回头看”" is a look-back.
    if "回头看" in words:
        return "look_back"
    if "提级" in words:
        return "elevated"
    if "机动" in words:
        return "mobile"
    if "专项" in words:
        return "thematic"
    if words == "" or "常规" in words:
        return "regular"
    return None


def _without_group_phrase(targets: str) -> tuple[str, int | None, str]:
    """Split "A、B等17个单位党组织" into ("A、B", 17, "党组织"); "17个单位" has no names."""
    match = _group_phrase_in(targets)
    if match is None:
        return targets, None, ""
    count = match.group("count")
    party = _PARTY_WORD.search(match.group("noun"))
    return (
        targets[: match.start()],
        chinese_number(count) if count else None,
        party.group(0) if party else "",
    )


def _group_phrase_in(targets: str) -> re.Match[str] | None:
    with_deng = _GROUP_WITH_DENG.search(targets)
    # After 等 a count, a group noun, or nothing at all ("A、B等") marks the phrase;
    # "等促进会" is the end of 市男女平等促进会, not a phrase.
    if with_deng and (
        with_deng.group("count")
        or not with_deng.group("noun")
        or _is_group_noun(with_deng.group("noun"))
    ):
        return with_deng
    without_deng = _GROUP_WITHOUT_DENG.search(targets)
    if without_deng and _is_group_noun(without_deng.group("noun")):
        return without_deng
    return None


def _is_group_noun(noun: str) -> bool:
    return any(word in noun for word in _GROUP_NOUNS)


def _items_in(list_text: str, clause_number: int, printed: str) -> Iterator[str]:
    pieces = _split_outside_brackets(list_text, "、", clause_number, printed)
    first_item = pieces[0]
    for piece in pieces:
        for item in _split_on_conjunctions(piece, first_item):
            if not item:
                raise AnnouncementError(
                    _(
                        "Clause %(number)d (“%(clause)s”) has an empty unit name; check the "
                        "separators (、 和 及) in it."
                    )
                    % {"number": clause_number, "clause": _shortened(printed)},
                )
            yield item


def _split_outside_brackets(
    text: str, separator: str, clause_number: int, printed: str
) -> list[str]:
    pieces, current, depth = [], [], 0
    for ch in text:
        if ch == "（":
            depth += 1
        elif ch == "）":
            depth -= 1
        if depth < 0:
            break
        if ch == separator and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    if depth != 0:
        raise AnnouncementError(
            _("Clause %(number)d (“%(clause)s”) has brackets that do not pair up.")
            % {"number": clause_number, "clause": _shortened(printed)},
        )
    pieces.append("".join(current))
    return pieces


def _split_on_conjunctions(piece: str, first_item: str) -> list[str]:
    for match in _CONJUNCTION.finditer(piece):
        before, after = piece[: match.start()], piece[match.end() :]
        if _bracket_depth(before) == 0 and _conjunction_joins_two_units(before, after, first_item):
            return [before, *_split_on_conjunctions(after, first_item)]
    return [piece]


def _bracket_depth(text: str) -> int:
    return text.count("（") - text.count("）")


def _conjunction_joins_two_units(before: str, after: str, first_item: str) -> bool:
    # "市财政局党组和市审计局党组": a party word closes the first unit.
    if before and _PARTY_WORD.search(before):
        return True
    # "市财政局和市审计局" splits; "市文化和旅游局" does not (化 ends no unit name).
    return _ends_like_unit_name(before) and _starts_like_unit_name(after, first_item)


def _ends_like_unit_name(text: str) -> bool:
    return len(text) >= 2 and text.endswith(_UNIT_NAME_ENDINGS)


def _starts_like_unit_name(text: str, first_item: str) -> bool:
    # Lists usually share a beginning (河北省…、河北省…), which covers places not listed.
    same_as_first = (first_item[:2],) if len(first_item) >= 2 else ()
    return text.startswith(_UNIT_NAME_BEGINNINGS + same_as_first)


# --- Items ------------------------------------------------------------------------------


def _inspections_in(clause: _Clause) -> Iterator[AnnouncedInspection]:
    read = [_read_item(item) for item in clause.items]
    _refuse_count_mismatch(clause, len(read))
    list_party = clause.group_party_organisation or _party_word_closing_whole_list(read)
    for unit, aliases, party in read:
        yield AnnouncedInspection(
            unit=unit,
            aliases=aliases,
            kind=clause.kind,
            party_organisation=party or list_party,
        )


def _party_word_closing_whole_list(read: list[tuple[str, tuple[str, ...], str]]) -> str:
    # "对市财政局、市审计局党组开展…": a party word printed only after the last item
    # is read as belonging to the whole list.
    *others, (_, _, last_party) = read
    if others and not any(party for _, _, party in others):
        return last_party
    return ""


def _read_item(item: str) -> tuple[str, tuple[str, ...], str]:
    """ "市公安局交通管理总队（交通管理局）党委" -> (name, ("交通管理局",), "党委")."""
    name, party = _without_party_word(item)
    name, aliases = _without_aliases(name)
    return name, aliases, party


def _without_party_word(item: str) -> tuple[str, str]:
    match = _PARTY_WORD.search(item)
    if match is None or match.start() == 0:
        # Nothing but the party word ("机关党委" inspected by a 校党委): that is the name.
        return item, ""
    return item[: match.start()], match.group(0)


def _without_aliases(name: str) -> tuple[str, tuple[str, ...]]:
    # A bracket group closing the item lists other names; one followed by more text
    # belongs to the name (天津港（集团）有限公司).
    if not name.endswith("）"):
        return name, ()
    opening = _opening_bracket_of_last_group(name)
    if opening <= 0:
        return name, ()
    aliases = tuple(alias for alias in name[opening + 1 : -1].split("、") if alias)
    return name[:opening], aliases


def _opening_bracket_of_last_group(name: str) -> int:
    depth = 0
    for index in range(len(name) - 1, -1, -1):
        if name[index] == "）":
            depth += 1
        elif name[index] == "（":
            depth -= 1
            if depth == 0:
                return index
    return -1


# --- Refusals ---------------------------------------------------------------------------


def _refuse_clauses_without_names(clauses: tuple[_Clause, ...]) -> None:
    for clause in clauses:
        if not clause.items:
            raise AnnouncementError(
                _("Clause %(number)d (“%(clause)s”) gives a number of units but names none.")
                % {"number": clause.number, "clause": _shortened(clause.printed)},
            )


def _refuse_count_mismatch(clause: _Clause, found: int) -> None:
    if clause.stated_count is None or clause.stated_count == found:
        return
    raise AnnouncementError(
        _(
            "Clause %(number)d (“%(clause)s”) says there are %(stated)d units, but "
            "%(found)d unit names were found in it."
        )
        % {
            "number": clause.number,
            "clause": _shortened(clause.printed),
            "stated": clause.stated_count,
            "found": found,
        },
        code="announcement.count_mismatch",
    )


def _refuse_units_named_twice(inspections: tuple[AnnouncedInspection, ...]) -> None:
    seen: set[str] = set()
    for inspection in inspections:
        if inspection.unit in seen:
            raise AnnouncementError(
                _(
                    "The announcement names %(unit)s twice; a unit gets one kind of "
                    "inspection in a round."
                )
                % {"unit": inspection.unit},
            )
        seen.add(inspection.unit)


def _shortened(printed: str, keep: int = 16) -> str:
    # Long lists make unreadable messages: keep the start and the kind at the end.
    if len(printed) <= 2 * keep + 1:
        return printed
    return f"{printed[:keep]}…{printed[-keep:]}"
