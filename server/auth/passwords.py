"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

The rules follow the NCSC's password guidance: length over complexity. At least 12 characters (three random
words make a good one), no rules about kinds of character, no expiry; a generous upper limit only so that
hashing stays cheap to refuse."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.errors import BadUserInput

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
_hasher = PasswordHasher()
# Verified against when the account does not exist, so that "no such user" takes as long as
# "wrong password" and the response time does not reveal which accounts exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash("an account that does not exist")


def hash_password(password: str, *, field: str = "password") -> str:
    """BAD_USER_INPUT (naming `field`) unless the password keeps the rules above."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadUserInput(f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.", field=field)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise BadUserInput(f"Passwords can be at most {MAX_PASSWORD_LENGTH} characters long.", field=field)
    if "\x00" in password:
        raise BadUserInput("Passwords cannot contain the NUL character.", field=field)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_ACCOUNT_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
