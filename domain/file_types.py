"""Supporting document types: recognised from their first bytes, then parsed whole.

The declared content type and the file name are set by the sender and prove nothing; the magic
bytes say what a file claims to be, and parsing it as that (pypdf, Pillow) proves it: a file that
starts with "%PDF-" and goes on as HTML is no PDF. A name whose extension promises another type
than the content is refused as disguised, so nobody downloads an "attestation.pdf" that is
something else.
"""

from __future__ import annotations

import io
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError
from pypdf.generic import DictionaryObject

from domain.errors import InvalidInput

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\xff\xd8\xff", JPEG),
    (b"\x89PNG\r\n\x1a\n", PNG),
)
EXTENSIONS: dict[str, tuple[str, ...]] = {PDF: (".pdf",), JPEG: (".jpg", ".jpeg"), PNG: (".png",)}
TYPE_LABELS_FR = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}

# Recognised only to tell the person what they actually sent.
_KNOWN_REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "une archive ZIP (ou un document Office)"),
    (b"MZ", "un programme exécutable"),
    (b"\x7fELF", "un programme exécutable"),
    (b"GIF8", "une image GIF"),
    (b"Rar!", "une archive RAR"),
    (b"7z\xbc\xaf", "une archive 7-Zip"),
    (b"\xd0\xcf\x11\xe0", "un document Office ancien format"),
)

ACCEPTED_FR = "seuls les fichiers PDF, JPEG et PNG sont acceptés"
# A scan at 600 dpi of an A3 page is about 70 million pixels; beyond, an image is a bomb.
MAX_IMAGE_PIXELS = 80_000_000
MAX_FILENAME_CHARS = 150
# The form and API field an upload is refused for.
UPLOAD_FIELD = "file"


class UploadRefused(InvalidInput):
    """The upload is not accepted, for the file field."""

    def __init__(self, message: str) -> None:
        super().__init__({UPLOAD_FIELD: message})
        self.message = message


@dataclass(frozen=True)
class AcceptedFile:
    content_type: str
    filename: str


def sniff(data: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def clean_filename(raw: str | None) -> str:
    """The last path component, without control characters, of a reasonable length."""
    name = unicodedata.normalize("NFC", raw or "")
    name = PureWindowsPath(PurePosixPath(name).name).name
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if len(name) > MAX_FILENAME_CHARS:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext) <= 5 else ""
        name = name[: MAX_FILENAME_CHARS - len(keep) - 1].rstrip() + ("." + keep if keep else "")
    return name


def format_size_fr(size: int) -> str:
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f} Mo" if value == int(value) else f"{value:.1f} Mo".replace(".", ",")
    return f"{max(1, size // 1024)} Ko"


def check_upload(filename: str | None, data: bytes, max_bytes: int) -> AcceptedFile:
    """Accept a PDF, JPEG or PNG within the size limit, or raise UploadRefused."""
    if not data:
        raise UploadRefused("Le fichier est vide : choisissez un fichier qui contient le document.")
    if len(data) > max_bytes:
        raise UploadRefused(
            f"Le fichier dépasse la taille maximale autorisée ({format_size_fr(max_bytes)})."
        )
    name = clean_filename(filename)
    content_type = sniff(data)
    if content_type is None:
        raise UploadRefused(_refusal(name, data))
    suffix = PurePosixPath(name.lower()).suffix
    if suffix and suffix not in EXTENSIONS[content_type]:
        actual = TYPE_LABELS_FR[content_type]
        raise UploadRefused(
            f"Le fichier « {name} » est en réalité un {actual} : son extension ({suffix}) "
            "ne correspond pas à son contenu. Renommez-le ou choisissez le bon fichier."
        )
    problem = _unreadable(content_type, data)
    if problem:
        raise UploadRefused(f"Le fichier « {name or 'document'} » {problem}")
    if not suffix:
        name = (name or "document") + EXTENSIONS[content_type][0]
    return AcceptedFile(content_type=content_type, filename=name)


def _unreadable(content_type: str, data: bytes) -> str | None:
    """Why `data` is not a well-formed file of `content_type` (the end of a French sentence
    about the file), or None."""
    label = TYPE_LABELS_FR[content_type]
    damaged = (
        f"commence comme un {label} mais n'en est pas un lisible (fichier endommagé ou "
        "déguisé). Enregistrez-le de nouveau depuis le logiciel d'origine, ou numérisez le "
        "document."
    )
    if content_type == PDF:
        return _pdf_problem(data, damaged)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != label or image.width * image.height > MAX_IMAGE_PIXELS:
                    return damaged
                image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return damaged
    return None


def _pdf_problem(data: bytes, damaged: str) -> str | None:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return (
                "est protégé par un mot de passe : personne ne pourrait le lire. Enregistrez-le "
                "sans protection, ou numérisez le document."
            )
        root = reader.trailer["/Root"].get_object()
        if not isinstance(root, DictionaryObject) or "/Pages" not in root:
            return damaged
        len(reader.pages)
    except (
        PyPdfError,
        PdfReadError,
        KeyError,
        ValueError,
        TypeError,
        AttributeError,
        RecursionError,
    ):
        return damaged
    return None


def _refusal(name: str, data: bytes) -> str:
    what = next((label for magic, label in _KNOWN_REFUSED if data.startswith(magic)), None)
    suffix = PurePosixPath(name.lower()).suffix
    claimed = next((t for t, exts in EXTENSIONS.items() if suffix in exts), None)
    if claimed is not None:
        actual = f" : il s'agit en réalité d'{what}" if what else ""
        return (
            f"Le fichier « {name} » n'est pas un vrai {TYPE_LABELS_FR[claimed]}{actual}. "
            f"Refusé : {ACCEPTED_FR}."
        )
    if what:
        return f"Ce fichier est {what} : {ACCEPTED_FR}."
    return f"Type de fichier non reconnu : {ACCEPTED_FR}."
