"""Repositories: every query appointd runs lives in this package, scoped to one account."""
