"""Erasure notices: what a partner must erase, by when, and its confirmation."""
