"""Contact details as French case workers type them: email, phone number, département.

Each function returns the normalised value or raises ValueError with the French message shown
next to the field.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from domain.input_fields import Normalised, whole_number
from domain.labelled_enum import LabelledEnum

EMAIL_MESSAGE = (
    "Adresse e-mail invalide : saisissez une adresse complète, par exemple prenom.nom@exemple.fr."
)
PHONE_MESSAGE = (
    "Numéro de téléphone invalide : saisissez un numéro français à 10 chiffres, "
    "par exemple 06 12 34 56 78 ou +33 6 12 34 56 78."
)
DEPARTEMENT_MESSAGE = (
    "Département invalide : saisissez un numéro de 01 à 95, 2A ou 2B pour la Corse, "
    "ou de 971 à 976 pour l'outre-mer."
)

# Overseas numbers dialled from France as 0XYZ... belong to their own country codes.
_OVERSEAS_PREFIXES: dict[str, str] = {
    "262": "262",
    "263": "262",
    "692": "262",
    "693": "262",
    "269": "262",
    "639": "262",
    "590": "590",
    "690": "590",
    "691": "590",
    "594": "594",
    "694": "594",
    "596": "596",
    "696": "596",
    "697": "596",
}
_COUNTRY_CODES = ("33", "262", "590", "594", "596")
_SEPARATORS = re.compile(r"[\s.\-/()]")
_NATIONAL = re.compile(r"^[1-9]\d{8}$", re.ASCII)


def normalise_email(value: str) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(EMAIL_MESSAGE) from None


def normalise_phone(value: str) -> str:
    """A French (metropolitan or overseas) number in E.164, e.g. "+33612345678"."""
    compact = _SEPARATORS.sub("", value.strip().replace("(0)", ""))
    if compact.startswith("+"):
        international = compact[1:]
    elif compact.startswith("00"):
        international = compact[2:]
    elif compact.startswith("0") and _NATIONAL.match(compact[1:]):
        national = compact[1:]
        return "+" + _OVERSEAS_PREFIXES.get(national[:3], "33") + national
    else:
        raise ValueError(PHONE_MESSAGE)
    for code in _COUNTRY_CODES:
        rest = international[len(code) :]
        if international.startswith(code) and _NATIONAL.match(rest):
            return "+" + code + rest
    raise ValueError(PHONE_MESSAGE)


def normalise_departement(value: str) -> str:
    code = value.strip().upper()
    if code in ("2A", "2B"):
        return code
    number = whole_number(code, maximum=999)
    if number is None:
        raise ValueError(DEPARTEMENT_MESSAGE)
    if len(code) <= 2 and 1 <= number <= 95 and number != 20:
        return f"{number:02d}"
    if len(code) == 3 and 971 <= number <= 976:
        return code
    raise ValueError(DEPARTEMENT_MESSAGE)


EMAIL_INPUT = Normalised(
    normalise_email,
    "email-address",
    "Adresse e-mail complète (partie locale sans guillemets, domaine public) ; "
    "enregistrée sous sa forme normalisée.",
    ("prenom.nom@exemple.fr",),
)
PHONE_INPUT = Normalised(
    normalise_phone,
    "french-phone",
    "Numéro français (métropole ou outre-mer) à 10 chiffres, ou au format international "
    "+33 / +262 / +590 / +594 / +596 ; espaces, points, tirets et parenthèses admis ; "
    "enregistré au format E.164.",
    ("06 12 34 56 78", "+33 6 12 34 56 78"),
)
DEPARTEMENT_INPUT = Normalised(
    normalise_departement,
    "french-departement",
    "Département : 01 à 95 (sauf 20), 2A ou 2B pour la Corse, 971 à 976 pour l'outre-mer.",
    ("75", "2A", "974"),
)


class ContactChannel(LabelledEnum):
    EMAIL = "email", "E-mail"
    PHONE = "phone", "Téléphone"
    POST = "post", "Courrier postal"


CONTACT_CHANNEL_LABELS_FR = ContactChannel.labels()
