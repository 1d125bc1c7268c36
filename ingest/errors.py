"""Errors of the ingestion steps; each names the file and the reason, so a run can report and go on."""


class IngestError(Exception):
    """Base class: a file could not be ingested. The message is shown in the run's summary."""


class UnsupportedFile(IngestError):
    """Raised for a file type with no loader (anything but .txt .md .html .htm .pdf .docx)."""


class EmptyDocument(IngestError):
    """Raised when a file holds no text after cleaning (an empty file, a scanned PDF)."""


class BrokenFile(IngestError):
    """Raised when a file cannot be parsed (a corrupt PDF or DOCX, undecodable bytes)."""
