"""Document cards as data: validation, staff edits overriding shipped cards, reload on change, default cards."""

import os

import pytest
import yaml

from knowledge.cards import CARDS_PATH, Card, DocumentCards, card_text, chapter_headings
from knowledge.errors import InvalidCard

SHIPPED = [{"file": "policy/chongqing/某市养犬管理条例(2020-01-01).md", "governs": "养犬登记、免疫和文明养犬。",
            "applies_to": "养犬人", "subjects": ["养犬登记", "犬只免疫"], "everyday": ["办狗证", "遛狗拴绳"]}]


@pytest.fixture
def cards(tmp_path):
    shipped = tmp_path / "cards.yaml"
    shipped.write_text(yaml.safe_dump(SHIPPED, allow_unicode=True), encoding="utf-8")
    return DocumentCards(shipped, tmp_path / "edits.yaml")


def test_a_shipped_card_is_found_by_file_name(cards):
    card = cards.get("某市养犬管理条例(2020-01-01).md")
    assert card is not None and card.everyday == ("办狗证", "遛狗拴绳")
    assert not cards.edited("某市养犬管理条例(2020-01-01).md")
    assert cards.get("别的文件.md") is None


def test_a_staff_edit_overrides_and_an_empty_card_restores_the_shipped_one(cards, tmp_path):
    source = "某市养犬管理条例(2020-01-01).md"
    cards.put(source, Card(governs="犬只管理", everyday=("养狗罚款",)))
    assert cards.get(source).everyday == ("养狗罚款",) and cards.edited(source)
    # the edit is a file: a second reader (another worker, a restart) sees it
    assert DocumentCards(tmp_path / "cards.yaml", tmp_path / "edits.yaml").get(source).governs == "犬只管理"
    cards.put(source, Card())
    assert cards.get(source).everyday == ("办狗证", "遛狗拴绳") and not cards.edited(source)


def test_an_edited_file_is_reloaded_and_a_broken_one_keeps_the_previous_cards(cards, tmp_path):
    source = "某市养犬管理条例(2020-01-01).md"
    edits = tmp_path / "edits.yaml"
    edits.write_text(yaml.safe_dump({source: {"everyday": ["狗咬人"]}}, allow_unicode=True), encoding="utf-8")
    os.utime(edits, (1, 1))  # a distinct mtime even on a coarse clock
    assert cards.reload() and cards.get(source).everyday == ("狗咬人",)
    edits.write_text("everyday: [unclosed", encoding="utf-8")
    assert not cards.reload()
    assert cards.get(source).everyday == ("狗咬人",)


def test_invalid_cards_are_refused_with_the_reason():
    with pytest.raises(InvalidCard, match="governs"):
        Card.from_dict({"governs": "长" * 500})
    with pytest.raises(InvalidCard, match="unknown"):
        Card.from_dict({"nickname": "x"})
    with pytest.raises(InvalidCard, match="phrase"):
        Card.from_dict({"everyday": ["很" * 30]})
    assert Card.from_dict({"everyday": "办狗证、遛狗"}).everyday == ("办狗证", "遛狗")


def test_a_document_without_a_card_is_described_by_its_title_and_chapters():
    headings = chapter_headings(["题注", "第一章 总则 > 第一条", "第二章 犬只登记 > 第五条", "第二章 犬只登记 > 第六条",
                                 "第三章 法律责任 > 第九条"])
    assert headings == ["犬只登记", "法律责任"]
    assert chapter_headings(["第一条", "第二条 [1/2]"]) == []  # no chapters: nothing but article numbers
    text = card_text("某市养犬管理条例", None, headings)
    assert text == "某市养犬管理条例。犬只登记、法律责任"
    carded = card_text("某市养犬管理条例", Card(governs="养犬登记。", everyday=("办狗证",)), headings)
    assert carded.startswith("某市养犬管理条例。养犬登记。办狗证。") and "。。" not in carded


def test_the_shipped_cards_cover_every_shipped_document():
    shipped = DocumentCards(CARDS_PATH, None)
    from tests.conftest import SHIPPED as KNOWLEDGE

    # a file with only its title and amendment lines (no article to quote) has none, on purpose
    files = [p.name for p in KNOWLEDGE.rglob("*") if p.is_file() and p.suffix in (".md", ".txt")
             and ("第一条" in p.read_text(encoding="utf-8") or p.suffix == ".txt")]
    assert files and all(shipped.get(f) is not None for f in files), [f for f in files if shipped.get(f) is None]
    assert all(len(shipped.get(f).everyday) >= 5 for f in files)


def test_a_title_subject_drops_the_frame_of_the_title():
    from knowledge.cards import title_subject

    assert title_subject("重庆市蘑菇种植管理条例") == "蘑菇种植"
    assert title_subject("中华人民共和国蘑菇法") == "蘑菇"
    assert title_subject("重庆市实施《中华人民共和国蘑菇法》办法") == "蘑菇"
    assert title_subject("中华人民共和国蘑菇法实施条例") == "蘑菇"
    assert title_subject("重庆市地方立法条例") == "地方立法"  # 立法 is its subject, not a law's name
    assert title_subject("条例") == ""
