"""Display names: what a name may hold, and the comparison key that catches look-alikes."""

# The look-alikes are the point of these tests.
# ruff: noqa: RUF001, RUF003

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from serverless_chat import contract, limits
from serverless_chat.domain import names, protocol
from serverless_chat.domain.errors import ChatError, ErrorCode

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = contract.NAMES["examples"]


def refusal(name: str) -> str:
    with pytest.raises(ChatError) as refused:
        protocol.parse_enter_room({"groupId": "lobby", "username": name})
    assert refused.value.code is ErrorCode.INVALID_USERNAME
    return refused.value.message


@pytest.mark.parametrize("name", EXAMPLES["accepted"])
def test_real_names_and_emoji_are_kept_as_sent(name: str) -> None:
    entered = protocol.parse_enter_room({"groupId": "lobby", "username": f"  {name} "})
    assert entered.username == name


@pytest.mark.parametrize("name", EXAMPLES["refused"] + EXAMPLES["refusedByTheChat"])
def test_names_that_hide_or_reorder_text_are_refused(name: str) -> None:
    assert refusal(name).startswith("A name ")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("\u202eadmin", "A name cannot hold bidi controls (U+202E)."),
        ("ada\u2069", "A name cannot hold bidi controls (U+2069)."),
        ("\u3164", "A name cannot hold blank fillers (U+3164)."),
        ("\u2800\u2800", "A name cannot hold blank fillers (U+2800)."),
        ("\u200b", "A name needs a visible character."),
        ("\u200c\u200d", "A name needs a visible character."),
        ("a\u200bda", "A name cannot hold invisible characters (U+200B)"),
        ("a\u200dda", "A name cannot hold invisible characters (U+200D)"),  # ZWJ between letters
        ("ada\ufe0f", "A name cannot hold invisible characters (U+FE0F)"),  # VS16 on a letter
        ("\ue000", "A name cannot hold U+E000."),  # private use: PRECIS's Nickname refuses it
        ("\U0001fae9", "A name cannot hold U+1FAE9: it is not in Unicode 15.0.0"),  # Unicode 16
    ],
)
def test_each_refusal_says_what_is_wrong(name: str, message: str) -> None:
    assert refusal(name).startswith(message)


def test_zwnj_is_kept_between_joining_letters_and_refused_elsewhere() -> None:
    persian = "می\u200cخواهم"  # "I want": the ZWNJ keeps می from joining خواهم
    assert protocol.parse_enter_room({"groupId": "g", "username": persian}).username == persian
    assert "U+200C" in refusal("ada\u200cbob")


def test_a_missing_or_blank_name_still_keeps_the_current_one() -> None:
    for blank in (None, "", "   ", "\u3000"):
        assert protocol.parse_enter_room({"groupId": "g", "username": blank}).username is None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("\u0430da", "ada"),  # Cyrillic а
        ("ＡＤＡ", "ada"),  # fullwidth
        ("Ada", "ada"),
        ("ADA", "ada"),
        ("m", "rn"),  # UTS #39: "m" looks like "rn"
        ("B0B", "bob"),  # a zero's prototype is a capital O
        ("paypa1", "paypal"),
        ("Ada  Lovelace", "ada\u2003lovelace"),  # spaces: Nickname maps and collapses them
        ("𝐚𝐝𝐚", "ada"),  # mathematical bold
        ("José", "Jose\u0301"),  # composed or not
        ("می\u200cخواهم", "میخواهم"),  # the joiner does not change who it is
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\U0001f469\U0001f467"),
    ],
)
def test_look_alikes_share_a_comparison_key(one: str, other: str) -> None:
    names.check_name(one)
    names.check_name(other)
    assert names.comparison_key(one) == names.comparison_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("ada", "bob"),
        ("ada", "adam"),
        ("ada", "ad a"),
        ("山田", "田山"),
        ("Zoë", "Zoe"),
        ("❤️", "💙"),
    ],
)
def test_different_names_have_different_keys(one: str, other: str) -> None:
    assert names.comparison_key(one) != names.comparison_key(other)


def test_the_skeleton_maps_each_character_to_its_prototype_per_uts_39() -> None:
    assert names.skeleton("\u0430") == "a"
    assert names.skeleton("m") == "rn"
    assert names.skeleton("a\u00adb") == "ab"  # default-ignorables removed
    assert names.skeleton("é") == unicodedata.normalize("NFD", "é")


def test_the_confusables_table_is_closed_so_one_pass_is_the_skeleton() -> None:
    # UTS #39: a prototype maps to itself, so skeleton(skeleton(x)) == skeleton(x).
    for source in list(names.unicode_tables().prototypes)[::7]:
        once = names.skeleton(source)
        assert names.skeleton(once) == once, f"U+{ord(source):04X}"


@given(st.text(max_size=32))
def test_any_name_is_refused_with_invalid_username_or_has_a_key(value: str) -> None:
    try:
        entered = protocol.parse_enter_room({"groupId": "g", "username": value})
    except ChatError as refused:
        code = refused.code
    else:
        code = None
        if entered.username is not None:
            assert names.comparison_key(entered.username)
    assert code in (None, ErrorCode.INVALID_USERNAME)


def test_the_tables_are_of_this_pythons_unicode_version() -> None:
    tables = json.loads(Path(names.__file__).with_name("unicode_tables.json").read_text())
    assert tables["unicodeVersion"] == unicodedata.unidata_version
    assert "\u200b" in names.unicode_tables().default_ignorable
    assert "\U0001f468" in names.unicode_tables().extended_pictographic
    assert "a" not in names.unicode_tables().default_ignorable


def test_the_table_generator_refuses_a_confusables_file_other_than_the_pinned_one(
    tmp_path: Path,
) -> None:
    stranger = tmp_path / "confusables.txt"
    stranger.write_text("0430 ;\t0061 ;\tMA\n")
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unicode_tables.py"), "--confusables", stranger],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "not confusables.txt 17.0.0" in result.stderr


def test_a_numbered_variant_is_the_first_number_nobody_looks_like() -> None:
    taken = {names.comparison_key(name) for name in ("ada", "ada 2", "ADA 3")}
    assert names.numbered_variant("Ada", taken) == "Ada 4"
    assert names.numbered_variant("ada 2", taken) == "ada 4"
    assert names.numbered_variant("bob", {names.comparison_key("bob")}) == "bob 2"
    long = "x" * limits.MAX_USERNAME_LENGTH
    variant = names.numbered_variant(long, {names.comparison_key(long)})
    assert variant == "x" * (limits.MAX_USERNAME_LENGTH - 2) + " 2"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 5 code points, one emoji
    squeezed = "x" * (limits.MAX_USERNAME_LENGTH - len(family) - 1) + family
    variant = names.numbered_variant(squeezed, {names.comparison_key(squeezed)})
    assert variant.endswith(" 2")
    names.check_name(variant)  # never a joiner cut from its emoji


def test_a_name_stored_before_these_rules_still_has_a_key() -> None:
    assert names.comparison_key("A\u200bda") == names.comparison_key("ada")  # PRECIS refuses it
