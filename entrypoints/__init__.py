"""The composition root: the app factory, the CLI, non-GraphQL HTTP routes, periodic jobs."""
