"""The announcement parser reads real lists of inspection targets and refuses to guess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from inspections.announcement import (
    KINDS,
    AnnouncedInspection,
    Announcement,
    AnnouncementError,
    chinese_number,
    normalise_brackets,
    parse_announcement,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "announcements"


def seed_page() -> str:
    return (FIXTURES / "seed_page.txt").read_text(encoding="utf-8")


def seed_expected() -> dict:
    return json.loads((FIXTURES / "seed_page.expected.json").read_text(encoding="utf-8"))


def announce(targets: str, *, round_name: str = "十二届市委第六轮第一批巡视") -> str:
    return f"经市委批准，{round_name}将对{targets}。"


def units_of(announcement: Announcement) -> list[str]:
    return [inspection.unit for inspection in announcement.inspections]


def only(announcement: Announcement) -> AnnouncedInspection:
    (inspection,) = announcement.inspections
    return inspection


def refusal(text: str) -> AnnouncementError:
    with pytest.raises(AnnouncementError) as caught:
        parse_announcement(text)
    return caught.value


# --- The seed page ----------------------------------------------------------------------


def test_seed_page_names_its_round_and_batch():
    announcement = parse_announcement(seed_page())

    assert (announcement.term, announcement.body, announcement.round, announcement.batch) == (
        12,
        "市委",
        6,
        1,
    )
    assert announcement.title == "十二届市委第六轮第一批巡视对象公布"


def test_seed_page_lists_17_regular_and_2_look_back_inspections():
    kinds = [inspection.kind for inspection in parse_announcement(seed_page()).inspections]

    assert len(kinds) == 19
    assert kinds == ["regular"] * 17 + ["look_back"] * 2


def test_seed_page_matches_expected_json_in_order():
    expected = seed_expected()
    found = parse_announcement(seed_page()).as_dict()

    def comparable(inspection: dict) -> dict:
        return {
            "unit": normalise_brackets(inspection["unit"]),
            "aliases": [normalise_brackets(alias) for alias in inspection["aliases"]],
            "kind": inspection["kind"],
        }

    for key in ("term", "body", "round", "batch"):
        assert found[key] == expected[key]
    assert [comparable(i) for i in found["inspections"]] == [
        comparable(i) for i in expected["inspections"]
    ]


def test_seed_page_stores_names_with_full_width_brackets():
    units = units_of(parse_announcement(seed_page()))

    assert "天津港（集团）有限公司" in units
    assert not any("(" in unit or ")" in unit for unit in units)


def test_seed_page_ignores_other_articles():
    units = units_of(parse_announcement(seed_page()))

    # The page's other articles print 玉湖冷链(天津)交易中心, 北京(京津冀) and the
    # central committee's 二十届中央第七轮巡视: none of them is a target.
    assert not any("玉湖" in unit or "京津冀" in unit or "中央" in unit for unit in units)
    assert units[0] == "市纪委监委机关"
    assert units[-1] == "市公安局交通管理总队"


def test_seed_page_keeps_party_organisation_apart_from_names():
    inspections = parse_announcement(seed_page()).inspections

    assert {i.party_organisation for i in inspections[:17]} == {"党组织"}
    assert [i.party_organisation for i in inspections[17:]] == ["党委", "党委"]


def test_as_dict_has_the_documented_keys():
    as_dict = parse_announcement(seed_page()).as_dict()

    assert set(as_dict) == {"term", "body", "round", "batch", "title", "inspections"}
    assert as_dict["inspections"][1] == {
        "unit": "市委组织部",
        "aliases": ["市公务员局"],
        "kind": "regular",
    }


# --- The sentence on its own, and its punctuation ---------------------------------------


@pytest.mark.parametrize(
    ("comma", "quotes"),
    [("，", "“”"), (",", '""'), ("，", "「」"), (",", "“”")],
    ids=["full-width", "half-width", "corner-quotes", "mixed"],
)
def test_announcement_alone_with_any_commas_and_quotes(comma: str, quotes: str):
    text = (
        f"经市委批准{comma}十二届市委第六轮第一批巡视将对市数据局、市投资促进局等2个单位"
        f"党组织开展常规巡视{comma}对市数据发展中心党委开展巡视{quotes[0]}回头看{quotes[1]}。"
    )

    announcement = parse_announcement(text)

    assert [(i.unit, i.kind) for i in announcement.inspections] == [
        ("市数据局", "regular"),
        ("市投资促进局", "regular"),
        ("市数据发展中心", "look_back"),
    ]


def test_sentence_broken_by_a_column_break_is_read_whole():
    text = (
        "十二届市委第六轮第一批巡视对象公布\n\n"
        "经市委批准,十二届市委第六轮第一批巡视将对市科学技术\n\n局、市数据局等2个单位党组织开展常规巡视。"
    )

    assert units_of(parse_announcement(text)) == ["市科学技术局", "市数据局"]


# --- Aliases and brackets ---------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "市科学技术局(市外国专家局、市天开高教科创园管理委员会)",
        "市科学技术局（市外国专家局、市天开高教科创园管理委员会）",
        "市科学技术局(市外国专家局、市天开高教科创园管理委员会)党组",
    ],
    ids=["half-width", "full-width", "before-party-word"],
)
def test_bracket_group_closing_an_item_lists_its_aliases(item: str):
    inspection = only(parse_announcement(announce(f"{item}开展常规巡视")))

    assert inspection.unit == "市科学技术局"
    assert inspection.aliases == ("市外国专家局", "市天开高教科创园管理委员会")


@pytest.mark.parametrize(
    "item",
    ["天津港(集团)有限公司党委", "天津港（集团）有限公司党委", "天津港(集团)有限公司"],
    ids=["half-width", "full-width", "no-party-word"],
)
def test_bracket_group_followed_by_more_name_is_part_of_the_name(item: str):
    inspection = only(parse_announcement(announce(f"{item}开展巡视“回头看”")))

    assert inspection.unit == "天津港（集团）有限公司"
    assert inspection.aliases == ()


def test_name_with_brackets_can_also_have_aliases():
    inspection = only(
        parse_announcement(announce("天津港(集团)有限公司(天津港集团)党委开展常规巡视"))
    )

    assert inspection.unit == "天津港（集团）有限公司"
    assert inspection.aliases == ("天津港集团",)


def test_aliases_are_stored_with_full_width_brackets():
    inspection = only(
        parse_announcement(announce("市港航管理局(天津港(集团)有限公司港航部)开展常规巡视"))
    )

    assert inspection.unit == "市港航管理局"
    assert inspection.aliases == ("天津港（集团）有限公司港航部",)


def test_normalise_brackets_turns_half_width_into_full_width():
    assert normalise_brackets("天津港(集团)有限公司") == "天津港（集团）有限公司"
    assert normalise_brackets("天津港（集团）有限公司") == "天津港（集团）有限公司"


def test_brackets_that_do_not_pair_up_are_refused():
    error = refusal(announce("市委组织部(市公务员局、市数据局开展常规巡视"))

    assert error.code == "announcement.invalid"


# --- Party-organisation words -----------------------------------------------------------


@pytest.mark.parametrize(
    "party_word",
    ["党委", "党组", "党工委", "党支部", "党组织", "机关党委", "党组（党委）", "党组(党委)"],
)
def test_party_word_after_a_name_is_not_part_of_it(party_word: str):
    inspection = only(parse_announcement(announce(f"市财政局{party_word}开展常规巡视")))

    assert inspection.unit == "市财政局"
    assert inspection.party_organisation == normalise_brackets(party_word)


@pytest.mark.parametrize("name", ["市纪委监委机关", "市委组织部", "市委老干部局"])
def test_names_holding_party_like_characters_stay_whole(name: str):
    inspection = only(parse_announcement(announce(f"{name}开展常规巡视")))

    assert inspection.unit == name
    assert inspection.party_organisation == ""


def test_party_word_once_after_the_list_belongs_to_every_unit():
    announcement = parse_announcement(announce("市财政局、市审计局、市统计局党组开展常规巡视"))

    assert units_of(announcement) == ["市财政局", "市审计局", "市统计局"]
    assert {i.party_organisation for i in announcement.inspections} == {"党组"}


def test_group_phrase_gives_its_party_word_to_every_unit():
    announcement = parse_announcement(announce("市财政局、市审计局等2个单位党组织开展常规巡视"))

    assert units_of(announcement) == ["市财政局", "市审计局"]
    assert {i.party_organisation for i in announcement.inspections} == {"党组织"}


def test_each_unit_keeps_its_own_party_word():
    announcement = parse_announcement(
        announce("市财政局党组、天津港(集团)有限公司党委开展常规巡视")
    )

    assert [(i.unit, i.party_organisation) for i in announcement.inspections] == [
        ("市财政局", "党组"),
        ("天津港（集团）有限公司", "党委"),
    ]


# --- 和, 及 and 以及 -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("targets", "units"),
    [
        ("市文化和旅游局党委", ["市文化和旅游局"]),
        ("市住房和城乡建设委员会党组", ["市住房和城乡建设委员会"]),
        (
            "市工业和信息化局、市人力资源和社会保障局",
            ["市工业和信息化局", "市人力资源和社会保障局"],
        ),
        ("市财政局党组和市审计局党组", ["市财政局", "市审计局"]),
        ("市财政局和市审计局", ["市财政局", "市审计局"]),
        ("市财政局、市统计局及市审计局", ["市财政局", "市统计局", "市审计局"]),
        (
            "市财政局、市统计局以及天津港(集团)有限公司",
            ["市财政局", "市统计局", "天津港（集团）有限公司"],
        ),
        ("市委组织部(市公务员局)和市文化和旅游局", ["市委组织部", "市文化和旅游局"]),
        ("市财政局党组和审计署驻津特派办党组", ["市财政局", "审计署驻津特派办"]),
        ("河北省财政厅和河北省审计厅", ["河北省财政厅", "河北省审计厅"]),
    ],
    ids=[
        "he-inside-name",
        "he-inside-name-2",
        "he-inside-two-names",
        "after-party-word",
        "new-unit-after-he",
        "ji",
        "yiji",
        "after-aliases",
        "party-word-before-unknown-start",
        "shared-beginning",
    ],
)
def test_conjunctions_split_only_between_units(targets: str, units: list[str]):
    announcement = parse_announcement(announce(f"{targets}开展常规巡视"))

    assert units_of(announcement) == units


# --- Kinds and clauses ------------------------------------------------------------------


def test_several_clauses_give_all_five_kinds():
    text = (
        "经市委批准，十二届市委第七轮巡视将对市财政局党组开展常规巡视，对市审计局党组开展专项巡视，"
        "对市统计局党组开展机动巡视；并对市数据局党组开展巡视“回头看”，"
        "同时对市投资促进局党组开展提级巡视。"
    )

    announcement = parse_announcement(text)

    assert [(i.unit, i.kind) for i in announcement.inspections] == [
        ("市财政局", "regular"),
        ("市审计局", "thematic"),
        ("市统计局", "mobile"),
        ("市数据局", "look_back"),
        ("市投资促进局", "elevated"),
    ]
    assert {i.kind for i in announcement.inspections} == set(KINDS)


@pytest.mark.parametrize(
    ("kind_words", "kind"),
    [
        ("常规巡察", "regular"),
        ("巡察", "regular"),
        ("专项巡察", "thematic"),
        ("机动巡察", "mobile"),
        ("巡察“回头看”", "look_back"),
        ("“回头看”巡察", "look_back"),
        ("提级巡察", "elevated"),
    ],
)
def test_xuncha_reads_like_xunshi(kind_words: str, kind: str):
    text = f"经区委批准，十四届区委第三轮巡察将对区财政局党组开展{kind_words}。"

    announcement = parse_announcement(text)

    assert (announcement.term, announcement.body, announcement.round) == (14, "区委", 3)
    assert only(announcement).kind == kind
    assert announcement.title == "十四届区委第三轮巡察对象公布"


def test_unknown_kind_is_refused():
    error = refusal(announce("市财政局党组开展联动巡视"))

    assert error.code == "announcement.invalid"
    assert "联动" in str(error)


def test_colon_list_after_yixia_is_read():
    text = "经市委批准，十二届市委第六轮巡视将对以下3个单位党组织开展常规巡视：市财政局、市审计局、市统计局。"

    announcement = parse_announcement(text)

    assert units_of(announcement) == ["市财政局", "市审计局", "市统计局"]
    assert {i.party_organisation for i in announcement.inspections} == {"党组织"}


# --- Term, body, round, batch -----------------------------------------------------------


def test_without_a_batch_the_batch_is_none_and_the_title_is_built():
    announcement = parse_announcement(
        "经市委批准，十二届市委第六轮巡视将对市财政局党组开展常规巡视。"
    )

    assert announcement.batch is None
    assert announcement.round == 6
    assert announcement.title == "十二届市委第六轮巡视对象公布"


def test_heading_supplies_what_the_sentence_leaves_out():
    text = (
        "十二届市委第六轮第二批巡视对象公布\n\n"
        "经市委批准，十二届市委第六轮巡视将对市财政局党组开展常规巡视。"
    )

    announcement = parse_announcement(text)

    assert announcement.batch == 2
    assert announcement.title == "十二届市委第六轮第二批巡视对象公布"


def test_heading_alone_names_the_round_when_the_sentence_does_not():
    text = "十二届市委第六轮第一批巡视对象公布\n经市委批准，本轮巡视将对市财政局党组开展常规巡视。"

    announcement = parse_announcement(text)

    assert (announcement.term, announcement.round, announcement.batch) == (12, 6, 1)


@pytest.mark.parametrize(
    ("round_name", "term", "body", "round_number", "batch"),
    [
        ("十一届省委第十轮第二批巡视", 11, "省委", 10, 2),
        ("二十届中央第三轮巡视", 20, "中央", 3, None),
        ("二十三届县委第十一轮第三批巡察", 23, "县委", 11, 3),
        ("12届市委第6轮第1批巡视", 12, "市委", 6, 1),
        ("１２届市委第６轮巡视", 12, "市委", 6, None),
        ("十届校党委第二十轮巡察", 10, "校党委", 20, None),
    ],
)
def test_round_name_numbers_in_any_numerals(
    round_name: str, term: int, body: str, round_number: int, batch: int | None
):
    announcement = parse_announcement(announce("市财政局党组开展常规巡视", round_name=round_name))

    assert (announcement.term, announcement.body, announcement.round, announcement.batch) == (
        term,
        body,
        round_number,
        batch,
    )


def test_announcement_without_a_round_is_refused():
    error = refusal("经区委批准，区委巡察将对区财政局党组开展常规巡察。")

    assert error.code == "announcement.no_round"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("两", 2),
        ("一百零五", 105),
        ("百", 100),
        ("二〇二五", 2025),
        ("17", 17),
        ("１７", 17),
    ],
)
def test_chinese_number(text: str, number: int):
    assert chinese_number(text) == number


@pytest.mark.parametrize("text", ["", "十二届", "abc"])
def test_chinese_number_refuses_what_is_not_a_number(text: str):
    with pytest.raises(ValueError):
        chinese_number(text)


# --- Counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "group", ["等3个单位党组织", "等三个单位", "等3家单位", "等三家单位党委", "3个单位党组织"]
)
def test_stated_count_that_matches_is_accepted(group: str):
    announcement = parse_announcement(announce(f"市财政局、市审计局、市统计局{group}开展常规巡视"))

    assert units_of(announcement) == ["市财政局", "市审计局", "市统计局"]


def test_stated_count_of_seventeen_in_chinese_numerals():
    names = "、".join(f"市第{chinese_number_text(n)}单位" for n in range(1, 18))
    announcement = parse_announcement(announce(f"{names}等十七个单位党组织开展常规巡视"))

    assert len(announcement.inspections) == 17


def chinese_number_text(number: int) -> str:
    digits = "一二三四五六七八九"
    tens, ones = divmod(number, 10)
    return ("十" if tens else "") + (digits[ones - 1] if ones else "")


def test_stated_count_that_differs_is_refused_with_both_numbers():
    text = announce(
        "市财政局、市审计局等17个单位党组织开展常规巡视，对市统计局党委开展巡视“回头看”"
    )

    # The message is formatted when raised; English keeps the assertion catalogue-proof.
    with translation.override("en"):
        error = refusal(text)

    assert error.code == "announcement.count_mismatch"
    assert "says there are 17 units" in str(error)
    assert "2 unit names were found" in str(error)
    assert "Clause 1" in str(error)


def test_count_mismatch_names_the_clause_it_is_in():
    text = announce("市财政局党组开展常规巡视，对市审计局、市统计局等3家单位开展专项巡视")

    error = refusal(text)

    assert error.code == "announcement.count_mismatch"
    assert "市审计局、市统计局等3家单位开展专项巡视" in str(error)
    assert "3" in str(error)
    assert "2" in str(error)


def test_name_ending_in_deng_is_not_a_group_phrase():
    announcement = parse_announcement(announce("市财政局、市男女平等促进会开展常规巡视"))

    assert units_of(announcement) == ["市财政局", "市男女平等促进会"]


# --- What is not an announcement --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "总投资50亿元的玉湖冷链(天津)交易中心项目一直备受关注。",
        "4月11日,本市召开十二届市委第六轮巡视工作动员部署会,部署十二届市委第六轮巡视工作。",
        "下一步，东丽区将对全市汽车企业开展安全巡查。",
    ],
    ids=["empty", "other-article", "mobilisation-meeting", "other-将对"],
)
def test_text_without_an_announcement_is_refused(text: str):
    error = refusal(text)

    assert error.code == "announcement.not_found"


def test_counts_only_report_is_skipped_for_the_real_list():
    text = (
        "会议指出，本轮巡视将对17个单位党组织开展常规巡视。\n\n"
        "十二届市委第六轮第一批巡视对象公布\n\n"
        "经市委批准，十二届市委第六轮第一批巡视将对市财政局党组开展常规巡视。"
    )

    assert units_of(parse_announcement(text)) == ["市财政局"]


def test_unit_named_twice_is_refused():
    error = refusal(announce("市财政局党组开展常规巡视，对市财政局党组开展专项巡视"))

    assert error.code == "announcement.invalid"
    assert "市财政局" in str(error)


def test_empty_item_is_refused():
    error = refusal(announce("市财政局、、市审计局开展常规巡视"))

    assert error.code == "announcement.invalid"
