"""Written French in the app's messages: counted nouns agree, "de" is elided before a vowel,
team slugs read as names (each was a defect a new user saw: "1 créancier(s)", "auprès de
Énergie", "(équipe paris)")."""

from __future__ import annotations

import html

from domain.french_text import counted, of, team_name
from rendering.environment import email_environment


def test_counted_nouns_agree_with_their_number() -> None:
    assert counted(0, "créancier") == "0 créancier"
    assert counted(1, "pièce attendue", "pièces attendues") == "1 pièce attendue"
    assert counted(2, "pièce attendue", "pièces attendues") == "2 pièces attendues"
    assert counted(3, "créancier") == "3 créanciers"


def test_de_is_elided_before_a_vowel_accented_or_not() -> None:
    assert of("Énergie Exemple") == "d'Énergie Exemple"
    assert of("Orange") == "d'Orange"
    assert of("Banque Exemple") == "de Banque Exemple"
    assert of("  Yves Rocher ") == "d'Yves Rocher"


def test_team_slugs_read_as_names() -> None:
    assert team_name("paris") == "Paris"
    assert team_name("conformite") == "Conformité"
    assert team_name("ile-de-france") == "Ile de france"


def test_templates_elide_with_the_de_filter() -> None:
    template = email_environment().from_string("vos dettes auprès {{ name | de }}")
    # (escaped as HTML: the apostrophe is &#39; in the page, ' on screen)
    assert html.unescape(template.render(name="Énergie Exemple")) == (
        "vos dettes auprès d'Énergie Exemple"
    )
    assert template.render(name="Banque Exemple") == "vos dettes auprès de Banque Exemple"
