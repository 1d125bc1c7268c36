"""Dependencies as named aliases; tests may override them with ``app.dependency_overrides``."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from bot.config import Settings
from bot.errors import NotReady, Unauthorized
from bot.service import KnowledgeService

_bearer = HTTPBearer(auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.service
    if not service.ready:
        raise NotReady(service.error or "the knowledge base is still loading")
    return service


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ServiceDep = Annotated[KnowledgeService, Depends(get_service)]


def require_admin(settings: SettingsDep,
                  creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """Bearer token check. With no token configured the admin routes are closed, never open."""
    if settings.admin_token is None:
        raise Unauthorized("admin routes are disabled: no BOT_ADMIN_TOKEN is configured")
    expected = settings.admin_token.get_secret_value()
    if creds is None or not secrets.compare_digest(creds.credentials.encode(), expected.encode()):
        raise Unauthorized("missing or wrong admin token (Authorization: Bearer <token>)")


AdminDep = Depends(require_admin)
