"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.errors import BadUserInput

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verified against when the account does not exist, so that "no such user" takes as long as
# "wrong password" and the response time does not reveal which accounts exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("an account that does not exist")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadUserInput(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.", field="password")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
