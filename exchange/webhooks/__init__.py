"""Signed webhooks to partner systems (Standard Webhooks), and acknowledged erasure."""
