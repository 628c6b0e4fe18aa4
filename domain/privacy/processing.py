"""What the company tells a person about the processing of their data (GDPR Art. 15(1)),
generated from the data categories and the retention rules, never written twice: for each
category, what it holds, why, on which legal basis, and how long it is kept."""

from __future__ import annotations

from dataclasses import dataclass

from domain.retention import RetentionPolicy


@dataclass(frozen=True)
class CategoryNotice:
    title: str
    holds: str
    purpose: str
    legal_basis: str
    retention: str


DEFAULT_POLICY = RetentionPolicy()


def category_notices(policy: RetentionPolicy = DEFAULT_POLICY) -> dict[str, CategoryNotice]:
    """Category value -> what the person is told about it."""
    contract = "Exécution du contrat d'accompagnement que vous avez conclu avec nous"
    return {
        "account": CategoryNotice(
            "Compte et coordonnées",
            "nom, prénom, adresse e-mail, téléphone, adresse postale, département, préférences",
            "Gérer votre dossier, vous contacter et vous tenir informé",
            contract,
            "Tant que vous utilisez le service ; supprimées à la clôture de votre compte",
        ),
        "financial": CategoryNotice(
            "Situation financière",
            "ressources, charges, dettes, analyse budgétaire et stratégie proposée",
            "Analyser votre budget et préparer la négociation avec vos créanciers",
            contract,
            f"Avec votre dossier, {policy.history_years} ans après sa clôture, puis rendues "
            "anonymes à des fins statistiques",
        ),
        "negotiation_history": CategoryNotice(
            "Historique des négociations",
            "propositions, réponses des créanciers, accords, échéanciers, consentements et "
            "registre de ce qui a été transmis à chaque créancier",
            "Négocier avec vos créanciers, uniquement avec votre accord explicite",
            contract + " ; obligation légale de conservation",
            f"{policy.history_years} ans après la clôture du dossier, puis supprimé (seules des "
            "statistiques anonymes subsistent)",
        ),
        "documents": CategoryNotice(
            "Pièces justificatives",
            "les documents que vous nous avez transmis (stockés chiffrés)",
            "Vérifier votre situation et l'appuyer auprès de vos créanciers",
            contract,
            f"{policy.documents_years} ans après la fin de notre relation contractuelle",
        ),
        "connection": CategoryNotice(
            "Données de connexion",
            "adresse IP, navigateur, système, pages consultées, durée de session",
            "Sécuriser l'accès au service",
            "Intérêt légitime (sécurité) et obligation légale",
            "12 mois au plus",
        ),
        "correspondence": CategoryNotice(
            "Échanges",
            "courriels que nous vous avons envoyés et échanges avec notre équipe",
            "Vous informer de l'avancement de votre dossier",
            contract,
            "2 ans après votre dernier échange",
        ),
        "identity_proof": CategoryNotice(
            "Justificatif d'identité (demande d'exercice des droits)",
            "la pièce d'identité demandée pour vérifier qui fait la demande",
            "Vérifier votre identité avant de répondre à une demande sur vos données",
            "Obligation légale",
            "Jusqu'à la décision de vérification ; seule l'issue de la vérification est gardée",
        ),
        "audit": CategoryNotice(
            "Journal des accès",
            "qui, dans notre entreprise, a consulté ou modifié vos données, et quand",
            "Tracer chaque accès à vos données et détecter les abus",
            "Obligation légale (sécurité du traitement)",
            "12 mois",
        ),
    }


RIGHTS_TEXT = (
    "Vous pouvez demander l'accès à vos données, leur rectification, leur effacement (sauf "
    "lorsque la loi nous oblige à les conserver), leur portabilité (en CSV ou JSON), vous "
    "opposer à leur traitement et en demander la limitation. Ces demandes sont gratuites et "
    "reçoivent une réponse dans les 30 jours : écrivez à dpo@cravelynos.example."
)
COMPLAINT_TEXT = (
    "Vous pouvez à tout moment adresser une réclamation à la Commission nationale de "
    "l'informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris "
    "Cedex 07, www.cnil.fr."
)
SOURCE_TEXT = (
    "Ces données viennent de vous (à l'ouverture de votre dossier puis au fil de son suivi), "
    "de vos créanciers (leurs réponses à nos propositions) et de notre équipe (l'analyse de "
    "votre budget, l'historique de votre dossier)."
)
PROCESSORS_TEXT = (
    "Nos prestataires techniques (hébergement, envoi des courriels) traitent vos données pour "
    "notre compte, sans pouvoir les utiliser pour eux-mêmes."
)
NO_AUTOMATED_DECISION = (
    "Aucune décision vous concernant n'est prise de façon entièrement automatisée."
)
