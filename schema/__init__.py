"""The GraphQL schema: types, queries, mutations, permissions, error payloads."""
