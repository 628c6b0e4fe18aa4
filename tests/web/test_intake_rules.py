"""The input rules behind the forms and the API, checked directly."""

from __future__ import annotations

import pytest
from support.files import pdf_with, png_with

from domain.contact_fields import (
    normalise_departement,
    normalise_email,
    normalise_phone,
)
from domain.credentials import looks_like_credential
from domain.file_types import UploadRefused, check_upload, clean_filename, sniff


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("01-44-55-66-77", "+33144556677"),
        ("0692 12 34 56", "+262692123456"),
        ("0590 12 34 56", "+590590123456"),
        ("+596 696 12 34 56", "+596696123456"),
    ],
)
def test_french_phone_numbers_are_stored_in_e164(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(
    "typed",
    ["", "06 12 34 56", "6 12 34 56 78", "+44 20 7946 0958", "00 33 06 12", "06 12 AB 56 78"],
)
def test_other_phone_numbers_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="Numéro de téléphone invalide"):
        normalise_phone(typed)


def test_departements() -> None:
    assert [
        normalise_departement(v) for v in ("1", "01", "75", "2a", "2B", "95", "971", "976")
    ] == [
        "01",
        "01",
        "75",
        "2A",
        "2B",
        "95",
        "971",
        "976",
    ]
    for bad in ("0", "00", "20", "96", "970", "977", "2C", "750", "", "paris"):
        with pytest.raises(ValueError, match="Département invalide"):
            normalise_departement(bad)


def test_email() -> None:
    assert normalise_email(" Jeanne.Dupont@Exemple.FR ") == "Jeanne.Dupont@exemple.fr"
    for bad in ("jeanne", "jeanne@", "@exemple.fr", "a b@exemple.fr", "jeanne@exemple"):
        with pytest.raises(ValueError, match="Adresse e-mail invalide"):
            normalise_email(bad)


@pytest.mark.parametrize(
    "text",
    [
        "Mot de passe : Soleil2024",
        "mdp Soleil2024",
        "password=hunter2",
        "code secret 4821",
        "Code confidentiel de la carte",
        "code d’accès 99887766",
        "code d'acces banque",
        "Identifiant bancaire : 12345678",
        "identifiants de connexion",
        "PIN 1234",
        "code: 123456",
        "cryptogramme 123",
    ],
)
def test_credential_like_text(text: str) -> None:
    assert looks_like_credential(text)


@pytest.mark.parametrize(
    "text",
    [
        "Jean Pin",
        "12 rue du Code Civil, 75011 Paris",
        "Code postal 75011",
        "Contrat n° 123456789",
        "Passage des Lilas",
        "Crédit Mutuel",
        "",
    ],
)
def test_ordinary_text(text: str) -> None:
    assert not looks_like_credential(text)


def test_sniffing_and_names() -> None:
    assert sniff(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff(b"\xff\xd8\xff\xdb") == "image/jpeg"
    assert sniff(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff(b"GIF89a") is None
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\Users\\x\\scan\x00.pdf") == "scan.pdf"
    assert len(clean_filename("a" * 400 + ".pdf")) <= 150
    assert clean_filename("a" * 400 + ".pdf").endswith(".pdf")
    assert check_upload("scan", pdf_with(), 10_000).filename == "scan.pdf"
    assert check_upload(None, png_with(), 10_000).filename == "document.png"
    with pytest.raises(UploadRefused, match="image GIF"):
        check_upload("anim.gif", b"GIF89a....", 100)
