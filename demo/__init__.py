"""The demo consortium: a reproducible fictional world, written through the use cases."""
