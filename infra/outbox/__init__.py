"""The mail outbox table: mail written in a use case's transaction, sent by ``infra.mail``."""
