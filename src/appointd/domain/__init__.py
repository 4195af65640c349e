"""The scheduling core: plain Python, no web framework, ORM or HTTP client."""
