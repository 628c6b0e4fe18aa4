"""Creditor negotiations: consents, offers, replies, attachments, the views of staff and client."""
