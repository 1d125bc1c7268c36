"""Errors raised inside the knowledge base; the service maps them to HTTP in one place."""


class KnowledgeError(Exception):
    """Base class for every error this package raises on purpose."""


class StoreUnavailable(KnowledgeError):
    """Raised when the vector store (on disk or a Chroma server) cannot be opened or reached."""


class EmbeddingModelMismatch(KnowledgeError):
    """Raised when a collection built with one embedding model is opened with another."""


class DocumentNotFound(KnowledgeError):
    """Raised when a document id is not in the store."""


class InvalidCard(KnowledgeError):
    """Raised for a document card that breaks the format (wrong types, too long)."""


class UnknownEmbeddingModel(KnowledgeError):
    """Raised when settings name an embedding model that cannot be loaded offline."""
