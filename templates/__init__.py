"""Jinja2 templates: web/ pages, email/ messages (HTML + text), report/ PDFs."""

from pathlib import Path

TEMPLATES_DIR = Path(__file__).resolve().parent
