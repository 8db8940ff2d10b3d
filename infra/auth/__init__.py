"""Identity: platform keys, OAuth client credentials, JWT access tokens, emailed sign-in links."""
