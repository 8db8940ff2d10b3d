"""Identity: platform keys, OAuth client credentials, JWT access tokens, one-time links, sign-in."""
