"""Signing and verifying audit checkpoints with the platform key (compact JWS, ES256).

Implements the ``CheckpointSigner`` protocol of ``exchange.audit.checkpoints``
structurally, without importing it. Checkpoints live for
years, longer than a retired key stays in the token JWKS, so verification uses every
public key the platform ever had (``platform_key`` keeps them), or the key a partner
kept next to the checkpoint.
"""

from __future__ import annotations

from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, KeySet

from exchange.audit import repository
from exchange.identity.keys import SIGNING_ALG, KeyRing, load_key_ring
from infra.db import Database
from infra.scope import AccessScope

CHECKPOINT_TYPE = "audit-checkpoint+jwt"
MAX_CHECKPOINT_JWS_BYTES = 4_096


class CheckpointKeys:
    """Signs with the active platform key; verifies with any key it was given."""

    def __init__(self, ring: KeyRing | None, public_jwks: list[dict[str, Any]]) -> None:
        self.ring = ring
        self.public_jwks = {str(k["kid"]): dict(k) for k in public_jwks if "kid" in k}
        self._key_set = (
            KeySet.import_key_set({"keys": list(self.public_jwks.values())})
            if self.public_jwks
            else None
        )

    def sign(self, payload: dict[str, Any]) -> str:
        if self.ring is None:
            raise RuntimeError("these checkpoint keys can verify but not sign")
        return self.ring.sign(payload, typ=CHECKPOINT_TYPE)

    def verify(self, jws: str) -> dict[str, Any]:
        if len(jws) > MAX_CHECKPOINT_JWS_BYTES:
            raise ValueError("checkpoint too large")
        if self._key_set is None:
            raise ValueError("no public key to verify with")
        try:
            token = jwt.decode(jws, self._key_set, algorithms=[SIGNING_ALG])
        except JoseError as exc:
            raise ValueError(exc.description or type(exc).__name__) from exc
        except (TypeError, KeyError, ValueError) as exc:
            raise ValueError(f"malformed JWS: {exc}") from exc
        if token.header.get("typ") != CHECKPOINT_TYPE:
            raise ValueError("not a checkpoint (typ)")
        return dict(token.claims)

    def jwk_for(self, jws: str) -> dict[str, Any] | None:
        """The public key that signed ``jws`` (by its kid), to publish next to it."""
        if self._key_set is None:
            return None
        try:
            header = jwt.decode(jws, self._key_set, algorithms=[SIGNING_ALG]).header
        except (JoseError, TypeError, KeyError, ValueError):
            return None
        return self.public_jwks.get(str(header.get("kid")))


def kept_key_verifier(jwk: dict[str, Any]) -> CheckpointKeys:
    """Verify against a key a partner kept with the checkpoint, not the database's keys."""
    ECKey.import_key(jwk)  # refuse anything that is not an EC public key up front
    return CheckpointKeys(None, [jwk])


async def all_public_jwks(database: Database) -> list[dict[str, Any]]:
    async with database.transaction(AccessScope.system()) as conn:
        return await repository.platform_public_jwks(conn)


async def load_checkpoint_keys(database: Database, *, signing: bool = True) -> CheckpointKeys:
    """The platform's checkpoint signer (creates the first key when there is none)."""
    ring = await load_key_ring(database) if signing else None
    return CheckpointKeys(ring, await all_public_jwks(database))
