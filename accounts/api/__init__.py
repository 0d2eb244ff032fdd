"""REST API of accounts: the token endpoint."""
