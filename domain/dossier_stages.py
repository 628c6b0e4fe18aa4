"""Dossier stages and closure outcomes, shared by the workflow, the read model and the pages."""

from __future__ import annotations

from domain.labelled_enum import LabelledEnum


class Stage(LabelledEnum):
    INTAKE = "intake", "Ouverture"
    AWAITING_DOCUMENTS = "awaiting_documents", "Pièces attendues"
    DOCUMENTS_COMPLETE = "documents_complete", "Pièces complètes"
    ANALYSIS = "analysis", "Analyse budgétaire"
    AWAITING_APPROVAL = "awaiting_approval", "Validation du client attendue"
    APPROVED = "approved", "Stratégie validée"
    # One CreditorNegotiationWorkflow per creditor runs; the dossier closes once all ended.
    NEGOTIATION = "negotiation", "Négociation avec les créanciers"
    CLOSED = "closed", "Clôturé"
    ANONYMISED = "anonymised", "Anonymisé"


# Stages in which a case worker can still act on the dossier.
OPEN_STAGES = frozenset(
    {
        Stage.INTAKE,
        Stage.AWAITING_DOCUMENTS,
        Stage.DOCUMENTS_COMPLETE,
        Stage.ANALYSIS,
        Stage.AWAITING_APPROVAL,
        Stage.APPROVED,
        Stage.NEGOTIATION,
    }
)

STAGE_LABELS_FR = Stage.labels()


class Outcome(LabelledEnum):
    RESOLVED = "resolved", "Situation résolue"
    PARTIAL = "partial", "Solution partielle"
    REFERRED_BANQUE_DE_FRANCE = (
        "referred_banque_de_france",
        "Orienté vers la Banque de France (surendettement)",
    )
    ABANDONED = "abandoned", "Abandon à la demande du client"
    UNREACHABLE = "unreachable", "Client injoignable"


OUTCOME_LABELS_FR = Outcome.labels()


class DocumentKind(LabelledEnum):
    IDENTITY = "identity", "Pièce d'identité"
    INCOME = "income", "Justificatifs de revenus (3 derniers mois)"
    TAX_NOTICE = "tax_notice", "Dernier avis d'imposition"
    BANK_STATEMENTS = "bank_statements", "Relevés bancaires (3 derniers mois)"
    DEBT_STATEMENTS = "debt_statements", "Relevés ou courriers des créanciers"
    RENT = "rent", "Quittance de loyer ou échéancier de prêt immobilier"
    OTHER = "other", "Autre justificatif"
    # Made by the service (the budget analysis sent to the client), never uploaded.
    ANALYSIS_REPORT = "analysis_report", "Rapport d'analyse budgétaire"
    # Negotiation: receipts and letters the service makes, scans and replies it receives.
    CONSENT_RECEIPT = "consent_receipt", "Reçu de consentement"
    CONSENT_SCAN = "consent_scan", "Consentement papier signé (numérisé)"
    CREDITOR_LETTER = "creditor_letter", "Courrier envoyé à un créancier"
    CREDITOR_REPLY = "creditor_reply", "Réponse d'un créancier"


DOCUMENT_LABELS_FR = DocumentKind.labels()

# Documents of the negotiation: made by the service, or uploaded through its own forms.
NEGOTIATION_DOCUMENT_KINDS = frozenset(
    {
        DocumentKind.CONSENT_RECEIPT,
        DocumentKind.CONSENT_SCAN,
        DocumentKind.CREDITOR_LETTER,
        DocumentKind.CREDITOR_REPLY,
    }
)

# What a client may be asked for and a case worker may upload; the service's own reports are not.
CLIENT_DOCUMENT_KINDS: tuple[DocumentKind, ...] = tuple(
    kind
    for kind in DocumentKind
    if kind != DocumentKind.ANALYSIS_REPORT and kind not in NEGOTIATION_DOCUMENT_KINDS
)

# What a consent may name, one by one, for sharing with a creditor.
SHAREABLE_DOCUMENT_KINDS = frozenset({*CLIENT_DOCUMENT_KINDS, DocumentKind.ANALYSIS_REPORT})


class CreditorKind(LabelledEnum):
    BANK = "bank", "Banque"
    CREDIT_COMPANY = "credit_company", "Organisme de crédit"
    LANDLORD = "landlord", "Bailleur"
    ENERGY = "energy", "Fournisseur d'énergie"
    TELECOM = "telecom", "Opérateur télécom"
    DEBT_BUYER = "debt_buyer", "Racheteur de créances"
    COLLECTION_AGENCY = "collection_agency", "Société de recouvrement"
    OTHER = "other", "Autre"


CREDITOR_KIND_LABELS_FR = CreditorKind.labels()


class ApprovalChannel(LabelledEnum):
    CLIENT_LINK = "client_link", "par le lien sécurisé envoyé au client"
    PHONE = "phone", "par téléphone"
    EMAIL = "email", "par e-mail"
    POST = "post", "par courrier"
    IN_PERSON = "in_person", "en rendez-vous"


APPROVAL_CHANNEL_LABELS_FR = ApprovalChannel.labels()
