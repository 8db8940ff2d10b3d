"""Where the key-encryption keys (KEKs) that seal private keys at rest come from.

- ``TUSSENDEUR_KEY_ENCRYPTION_KEY`` (base64 of 32 bytes) or
  ``TUSSENDEUR_KEY_ENCRYPTION_KEY_FILE`` (a file holding that text): the current KEK;
- ``TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS``: earlier KEKs, comma-separated, that still
  open what they sealed until ``tussendeur keys rewrap`` has moved everything on.

With neither set, a first try needs no setup: in development or test, or on the embedded
PostgreSQL, a KEK is generated once into ``<data dir>/key-encryption-key`` (mode 600) and
the log says so. In production with ``DATABASE_URL`` the process refuses to start: the
KEK must come from outside the database it protects.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from infra.errors import TussendeurError
from infra.keywrap import KeyEncryptionKey, KeyEncryptionKeys, parse_kek, read_or_create_kek_file
from infra.settings import Environment, Settings

KEK_VARIABLE = "TUSSENDEUR_KEY_ENCRYPTION_KEY"
KEK_FILE_VARIABLE = "TUSSENDEUR_KEY_ENCRYPTION_KEY_FILE"
PREVIOUS_VARIABLE = "TUSSENDEUR_KEY_ENCRYPTION_KEY_PREVIOUS"
GENERATED_FILE_NAME = "key-encryption-key"

log = logging.getLogger("tussendeur.keys")


class KeyEncryptionUnavailable(TussendeurError):
    """The private keys cannot be sealed or opened: a KEK is missing, malformed or wrong."""


def key_encryption_keys(settings: Settings) -> KeyEncryptionKeys:
    """The KEKs ``settings`` name (read, or generated once for a first try)."""
    may_generate = settings.env is not Environment.PRODUCTION or settings.database_url is None
    return _resolve(
        settings.key_encryption_key.get_secret_value() if settings.key_encryption_key else None,
        settings.key_encryption_key_file,
        (
            settings.key_encryption_key_previous.get_secret_value()
            if settings.key_encryption_key_previous
            else None
        ),
        settings.data_dir if may_generate else None,
    )


@functools.lru_cache(maxsize=8)
def _resolve(
    text: str | None, path: Path | None, previous: str | None, generate_in: Path | None
) -> KeyEncryptionKeys:
    if text and path:
        raise KeyEncryptionUnavailable(f"set {KEK_VARIABLE} or {KEK_FILE_VARIABLE}, not both")
    if text:
        current = _parsed(text, KEK_VARIABLE)
    elif path:
        try:
            current = _parsed(path.read_text(encoding="ascii"), KEK_FILE_VARIABLE)
        except (OSError, UnicodeDecodeError) as exc:
            raise KeyEncryptionUnavailable(
                f"{KEK_FILE_VARIABLE}: cannot read {path}: {exc}"
            ) from None
    elif generate_in is not None:
        current = _generated(generate_in / GENERATED_FILE_NAME)
    else:
        raise KeyEncryptionUnavailable(
            f"no key-encryption key: set {KEK_VARIABLE} (e.g. `openssl rand -base64 32`) or "
            f"{KEK_FILE_VARIABLE}; in production it must not live in the database"
        )
    earlier = [
        _parsed(part, PREVIOUS_VARIABLE) for part in (previous or "").split(",") if part.strip()
    ]
    return KeyEncryptionKeys(current, earlier)


def _parsed(text: str, variable: str) -> KeyEncryptionKey:
    try:
        return parse_kek(text)
    except ValueError as exc:
        raise KeyEncryptionUnavailable(f"{variable}: {exc} (expected base64 of 32 bytes)") from None


def _generated(path: Path) -> KeyEncryptionKey:
    try:
        kek, created = read_or_create_kek_file(path)
    except ValueError as exc:
        raise KeyEncryptionUnavailable(f"{path}: {exc}") from None
    except OSError as exc:
        raise KeyEncryptionUnavailable(
            f"cannot keep a key-encryption key in {path}: {exc}"
        ) from None
    if created:
        log.warning(
            "generated a key-encryption key in %s (mode 600) to seal the private signing keys; "
            "keep that file, or set %s before production",
            path,
            KEK_VARIABLE,
        )
    return kek
