"""Unguessable tokens for links that act for a person (view, change or cancel a registration)."""

import secrets

# 32 random bytes = 256 bits, URL-safe base64 without padding: 43 characters.
TOKEN_BYTES = 32
TOKEN_LENGTH = 43


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
