"""Dossier stages and closure outcomes, shared by the workflow, the read model and the pages."""

from __future__ import annotations

from enum import StrEnum


class Stage(StrEnum):
    INTAKE = "intake"
    AWAITING_DOCUMENTS = "awaiting_documents"
    DOCUMENTS_COMPLETE = "documents_complete"
    ANALYSIS = "analysis"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    # One CreditorNegotiationWorkflow per creditor runs; the dossier closes once all ended.
    NEGOTIATION = "negotiation"
    CLOSED = "closed"
    ANONYMISED = "anonymised"


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

STAGE_LABELS_FR: dict[Stage, str] = {
    Stage.INTAKE: "Ouverture",
    Stage.AWAITING_DOCUMENTS: "Pièces attendues",
    Stage.DOCUMENTS_COMPLETE: "Pièces complètes",
    Stage.ANALYSIS: "Analyse budgétaire",
    Stage.AWAITING_APPROVAL: "Validation du client attendue",
    Stage.APPROVED: "Stratégie validée",
    Stage.NEGOTIATION: "Négociation avec les créanciers",
    Stage.CLOSED: "Clôturé",
    Stage.ANONYMISED: "Anonymisé",
}


class Outcome(StrEnum):
    RESOLVED = "resolved"
    PARTIAL = "partial"
    REFERRED_BANQUE_DE_FRANCE = "referred_banque_de_france"
    ABANDONED = "abandoned"
    UNREACHABLE = "unreachable"


OUTCOME_LABELS_FR: dict[Outcome, str] = {
    Outcome.RESOLVED: "Situation résolue",
    Outcome.PARTIAL: "Solution partielle",
    Outcome.REFERRED_BANQUE_DE_FRANCE: "Orienté vers la Banque de France (surendettement)",
    Outcome.ABANDONED: "Abandon à la demande du client",
    Outcome.UNREACHABLE: "Client injoignable",
}


class DocumentKind(StrEnum):
    IDENTITY = "identity"
    INCOME = "income"
    TAX_NOTICE = "tax_notice"
    BANK_STATEMENTS = "bank_statements"
    DEBT_STATEMENTS = "debt_statements"
    RENT = "rent"
    OTHER = "other"
    # Made by the service (the budget analysis sent to the client), never uploaded.
    ANALYSIS_REPORT = "analysis_report"
    # Negotiation: receipts and letters the service makes, scans and replies it receives.
    CONSENT_RECEIPT = "consent_receipt"
    CONSENT_SCAN = "consent_scan"
    CREDITOR_LETTER = "creditor_letter"
    CREDITOR_REPLY = "creditor_reply"


DOCUMENT_LABELS_FR: dict[DocumentKind, str] = {
    DocumentKind.IDENTITY: "Pièce d'identité",
    DocumentKind.INCOME: "Justificatifs de revenus (3 derniers mois)",
    DocumentKind.TAX_NOTICE: "Dernier avis d'imposition",
    DocumentKind.BANK_STATEMENTS: "Relevés bancaires (3 derniers mois)",
    DocumentKind.DEBT_STATEMENTS: "Relevés ou courriers des créanciers",
    DocumentKind.RENT: "Quittance de loyer ou échéancier de prêt immobilier",
    DocumentKind.OTHER: "Autre justificatif",
    DocumentKind.ANALYSIS_REPORT: "Rapport d'analyse budgétaire",
    DocumentKind.CONSENT_RECEIPT: "Reçu de consentement",
    DocumentKind.CONSENT_SCAN: "Consentement papier signé (numérisé)",
    DocumentKind.CREDITOR_LETTER: "Courrier envoyé à un créancier",
    DocumentKind.CREDITOR_REPLY: "Réponse d'un créancier",
}

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


class CreditorKind(StrEnum):
    BANK = "bank"
    CREDIT_COMPANY = "credit_company"
    LANDLORD = "landlord"
    ENERGY = "energy"
    TELECOM = "telecom"
    DEBT_BUYER = "debt_buyer"
    COLLECTION_AGENCY = "collection_agency"
    OTHER = "other"


CREDITOR_KIND_LABELS_FR: dict[CreditorKind, str] = {
    CreditorKind.BANK: "Banque",
    CreditorKind.CREDIT_COMPANY: "Organisme de crédit",
    CreditorKind.LANDLORD: "Bailleur",
    CreditorKind.ENERGY: "Fournisseur d'énergie",
    CreditorKind.TELECOM: "Opérateur télécom",
    CreditorKind.DEBT_BUYER: "Racheteur de créances",
    CreditorKind.COLLECTION_AGENCY: "Société de recouvrement",
    CreditorKind.OTHER: "Autre",
}


class ApprovalChannel(StrEnum):
    CLIENT_LINK = "client_link"
    PHONE = "phone"
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"


APPROVAL_CHANNEL_LABELS_FR: dict[ApprovalChannel, str] = {
    ApprovalChannel.CLIENT_LINK: "par le lien sécurisé envoyé au client",
    ApprovalChannel.PHONE: "par téléphone",
    ApprovalChannel.EMAIL: "par e-mail",
    ApprovalChannel.POST: "par courrier",
    ApprovalChannel.IN_PERSON: "en rendez-vous",
}
