"""Consent that people control: records, texts, receipts, the visibility policy and retention rules.

Imports only ``infra``. The exchange's use cases (``exchange.consent_flow``) tie these
rules to profiles, introductions and mail.
"""
