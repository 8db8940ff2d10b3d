"""Envelope encryption (infra/keywrap.py): what is sealed for one key opens for that key only."""

from __future__ import annotations

import dataclasses
import os

import pytest

from infra.keywrap import (
    KeyEncryptionKey,
    KeyEncryptionKeys,
    SealError,
    UnknownKeyEncryptionKey,
    new_kek_text,
    parse_kek,
)


def fresh() -> KeyEncryptionKey:
    return KeyEncryptionKey(os.urandom(32))


def test_a_sealed_secret_opens_only_for_what_it_was_sealed_for() -> None:
    keks = KeyEncryptionKeys(fresh())
    sealed = keks.seal(b'{"d": "secret"}', associated="kid-1")
    assert b"secret" not in sealed.ciphertext + sealed.wrapped_key
    assert keks.unseal(sealed, associated="kid-1") == b'{"d": "secret"}'
    with pytest.raises(SealError):
        keks.unseal(sealed, associated="kid-2")  # copied onto another key's row
    other = KeyEncryptionKeys(fresh(), [keks.current])
    with pytest.raises(SealError):  # relabelled as sealed by another known KEK
        other.unseal(dataclasses.replace(sealed, kek_id=other.current.id), associated="kid-1")
    with pytest.raises(UnknownKeyEncryptionKey):
        KeyEncryptionKeys(fresh()).unseal(sealed, associated="kid-1")


def test_the_previous_kek_opens_and_the_current_one_seals() -> None:
    old, new = fresh(), fresh()
    sealed = KeyEncryptionKeys(old).seal(b"x", associated="k")
    rotated = KeyEncryptionKeys(new, [old])
    assert rotated.unseal(sealed, associated="k") == b"x"
    assert rotated.seal(b"x", associated="k").kek_id == new.id != old.id


def test_kek_text() -> None:
    text = new_kek_text()
    assert len(parse_kek(text).key) == 32
    assert parse_kek(text.rstrip("=").replace("+", "-").replace("/", "_")) == parse_kek(text)
    for bad in ("not base64!", "c2hvcnQ=", ""):
        with pytest.raises(ValueError):
            parse_kek(bad)
    assert "key=" not in repr(parse_kek(text))
