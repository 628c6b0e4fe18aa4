"""POST /auth/token (OAuth2 password flow) and GET /me."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, status
from starlette.concurrency import run_in_threadpool

from web.api.schemas import Me, TokenForm, TokenResponse
from web.auth import (
    BAD_CREDENTIALS,
    TOO_MANY_ATTEMPTS,
    ApiStaff,
    check_password,
    issue_api_token,
)
from web.deps import SettingsDep, client_ip
from web.errors import error_responses
from web.rate_limit import LoginRateLimiter

router = APIRouter(tags=["authentification"])


@router.post("/auth/token", response_model=TokenResponse, responses=error_responses(429))
async def issue_token(
    request: Request,
    settings: SettingsDep,
    form: Annotated[TokenForm, Form()],
) -> TokenResponse:
    """Exchange an email (field `username`) and password for a bearer token."""
    limiter: LoginRateLimiter = request.app.state.login_limiter
    source = client_ip(request)
    wait = await run_in_threadpool(limiter.wait, source, form.username)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            detail=TOO_MANY_ATTEMPTS,
            headers={"Retry-After": str(int(wait) + 1)},
        )

    user = await run_in_threadpool(check_password, settings, form.username, form.password, "api")
    if user is None:
        await run_in_threadpool(limiter.failed, source, form.username)
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=BAD_CREDENTIALS,
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = await run_in_threadpool(issue_api_token, settings, user)
    return TokenResponse(access_token=token, expires_in=settings.api_token_minutes * 60)


@router.get("/me", response_model=Me)
def me(staff: ApiStaff) -> Me:
    """The account the token belongs to."""
    return Me(
        id=staff.id or 0,
        email=staff.email,
        display_name=staff.display_name,
        role=staff.role,
        team=staff.team,
    )
