"""Composition root: settings, database, identity, mail, logging, the app factory and the CLI."""
