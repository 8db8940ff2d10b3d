"""The GraphQL schema: types, queries, mutations, permissions, dataloaders, error payloads."""
