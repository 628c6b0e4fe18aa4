"""The shared text checks: what a name or a note may hold."""

from __future__ import annotations

import pytest
from pydantic_core import PydanticCustomError

from domain.contact_fields import normalise_departement, normalise_phone
from domain.input_fields import MAX_ROW_ID, name_text, optional_text, whole_number

NAME = name_text("Nom", 100)
NOTE = optional_text("Note", 2000, multiline=True)

INVISIBLE = {
    "right-to-left override": "Jean\u202eeniuqcaJ",
    "left-to-right isolate": "Jean\u2066Noël",
    "zero-width space": "Zoé\u200b",
    "zero-width joiner": "Ma\u200drie",
    "byte order mark": "\ufeffAnna",
    "soft hyphen": "Da\u00advid",
    "lone surrogate": "Jea\ud800nne",
    "private use": "Luc\ue000",
}


@pytest.mark.parametrize("text", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_invisible_and_direction_characters_are_refused(text: str) -> None:
    for check in (NAME, NOTE):
        with pytest.raises(PydanticCustomError, match="invisible ou qui inverse"):
            check(text)


@pytest.mark.parametrize(
    "text", ["Crédit\nDémo", "Crédit\r\nDémo", "Banque\tTest", "Banque\x00", "A\x1bB"]
)
def test_control_characters_are_refused_in_names(text: str) -> None:
    with pytest.raises(PydanticCustomError, match="non autorisés"):
        NAME(text)


def test_blank_space_around_a_name_is_trimmed() -> None:
    assert NAME("  Jeanne   Marie \n") == "Jeanne Marie"


def test_a_note_keeps_its_line_breaks() -> None:
    assert NOTE("Première ligne\nDeuxième ligne") == "Première ligne\nDeuxième ligne"


def test_names_are_stored_composed() -> None:
    decomposed = "Se\u0301bastien"
    assert NAME(decomposed) == "Sébastien"
    assert NAME(decomposed) == NAME("Sébastien")


@pytest.mark.parametrize("text", ["Mаrie", "Pаris Énergie", "Ρaul"])  # Cyrillic а, Greek Ρ
def test_look_alikes_mixing_scripts_are_refused_in_names(text: str) -> None:
    with pytest.raises(PydanticCustomError, match="mélange plusieurs alphabets"):
        NAME(text)


@pytest.mark.parametrize("text", ["Ελένη Παπαδοπούλου", "Иван Петров", "Zoé O'Brien-Lefèvre"])
def test_names_in_one_script_each_are_welcome(text: str) -> None:
    assert NAME(text) == text


def test_a_note_may_quote_other_scripts() -> None:
    assert NOTE("Le client écrit « Спасибо »") == "Le client écrit « Спасибо »"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0", 0), ("42", 42), (str(MAX_ROW_ID), MAX_ROW_ID), (str(MAX_ROW_ID + 1), None)]
    + [(str(2**63), None), ("²", None)]
    + [("١", None), ("-1", None), ("+1", None), (" 1", None), ("", None), ("1e3", None)],
)
def test_whole_number_accepts_ascii_digits_only(text: str, expected: int | None) -> None:
    assert whole_number(text) == expected


@pytest.mark.parametrize("code", ["²", "١١", "٧٥", "0²"])
def test_departement_refuses_unicode_digits(code: str) -> None:
    with pytest.raises(ValueError, match="Département invalide"):
        normalise_departement(code)


def test_departement_still_pads_one_digit() -> None:
    assert normalise_departement("5") == "05"
    assert normalise_departement("974") == "974"


def test_phone_refuses_unicode_digits() -> None:
    with pytest.raises(ValueError, match="Numéro de téléphone invalide"):
        normalise_phone("٠٦١٢٣٤٥٦٧٨")
