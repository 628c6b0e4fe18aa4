"""What the dossier search compares: folded words, phones in E.164, emails, reference pieces."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.search_terms import (
    MAX_TERMS,
    SearchTerm,
    atoms,
    email_key,
    fold,
    name_tokens,
    phone_key,
    query_terms,
)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Lefèvre", "lefevre"),
        ("LEFÈVRE", "lefevre"),
        ("INÈS", "ines"),
        ("Inès", "ines"),
        ("Œuvre", "oeuvre"),
        ("Cœur", "coeur"),
        ("Lætitia", "laetitia"),
        ("Strauß", "strauss"),
        ("Ｊｅａｎｎｅ", "jeanne"),  # full-width letters
        ("Françoise", "francoise"),
        ("Noël", "noel"),
    ],
)
def test_fold_drops_accents_case_and_ligatures(typed: str, folded: str) -> None:
    assert fold(typed) == folded


def test_name_tokens_cover_the_ways_a_compound_name_is_typed() -> None:
    assert name_tokens("Le Gall-D'Arcy") == {
        "le", "gall", "d", "arcy", "legall", "darcy", "galldarcy", "legalldarcy",
    }  # fmt: skip
    assert name_tokens("Jean-Pierre") == {"jean", "pierre", "jeanpierre"}
    assert name_tokens("Da Silva") == {"da", "silva", "dasilva"}
    assert name_tokens("d’Artagnan") == {"d", "artagnan", "dartagnan"}  # typographic apostrophe
    assert name_tokens("  ") == set()
    assert name_tokens("--'") == set()


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33612345678",
        "+33 6 12 34 56 78",
        "+33 (0)6 12 34 56 78",
        "0033 6 12 34 56 78",
        "0033612345678",
    ],
)
def test_phone_formats_give_one_number(typed: str) -> None:
    assert phone_key(typed) == "+33612345678"
    [term] = query_terms(typed)
    assert term.phone == "+33612345678"


def test_overseas_foreign_and_junk_phones() -> None:
    # As intake records them: dialled from France, 0692... is Réunion's.
    assert phone_key("+262 692 12 34 56") == "+262692123456"
    assert phone_key("0692 12 34 56") == "+262692123456"
    assert phone_key("0590 12 34 56") == "+590590123456"
    assert phone_key("+44 20 7946 0958") == "+442079460958"
    junk = ("", "12", "123456", "abcdefghij", "+", "06 12", "0612345678901234567", "1234567890")
    for typed in junk:
        assert phone_key(typed) is None, typed
    # Too many groups for one number: the words stay words.
    assert [t.phone for t in query_terms("06 12 34 56 78 90")] == ["+33612345678", None]


def test_query_terms_by_kind() -> None:
    assert query_terms("jeanne dupont") == [SearchTerm(word="jeanne"), SearchTerm(word="dupont")]
    assert query_terms("Dupont  Jeanne") == [SearchTerm(word="dupont"), SearchTerm(word="jeanne")]
    assert query_terms("Le Gall-D'Arcy") == [
        SearchTerm(word=w) for w in ("le", "gall", "d", "arcy")
    ]
    assert query_terms(" Marc.Lefevre@EXEMPLE.fr ") == [SearchTerm(email="marc.lefevre@exemple.fr")]
    assert query_terms("CRV-2026-000123") == [SearchTerm(reference="CRV-2026-000123")]
    assert query_terms("crv-2026-000123") == [SearchTerm(reference="CRV-2026-000123")]
    assert query_terms("000123") == [SearchTerm(word="000123", reference="000123")]
    # Letters and digits that are no reference stay a word ("3F" is a landlord).
    assert query_terms("3F") == [SearchTerm(word="3f")]
    assert query_terms("dupont2") == [SearchTerm(word="dupont2")]
    # A number in groups beside a name: two terms.
    assert query_terms("dupont 06 12 34 56 78") == [
        SearchTerm(word="dupont"),
        SearchTerm(phone="+33612345678"),
    ]


def test_junk_matches_nothing_rather_than_everything() -> None:
    # A word with no letter or digit stays a term with no way to match.
    assert query_terms("%") == [SearchTerm()]
    assert query_terms("dupont ***") == [SearchTerm(word="dupont"), SearchTerm()]
    assert query_terms("   ") == []
    # LIKE and GLOB wildcards are not references: a plain word (no match on references).
    assert query_terms("CRV_") == [SearchTerm(word="crv")]
    assert query_terms("CRV-*") == [SearchTerm(word="crv")]


def test_long_queries_are_capped() -> None:
    assert len(query_terms(" ".join(f"mot{n}" for n in range(50)))) == MAX_TERMS


def test_atoms_and_email_key() -> None:
    assert atoms("Jean-Pierre O'Neil") == ["jean", "pierre", "o", "neil"]
    assert email_key("  Ines.D@Exemple.FR ") == "ines.d@exemple.fr"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_terms_without_error(typed: str) -> None:
    terms = query_terms(typed)
    assert len(terms) <= MAX_TERMS
    for term in terms:
        assert term.phone is None or term.phone.startswith("+")
        assert term.word is None or term.word == fold(term.word)
