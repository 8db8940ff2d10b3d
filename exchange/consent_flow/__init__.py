"""The person's side of the exchange: double opt-in, consent changes, rights, retention."""
