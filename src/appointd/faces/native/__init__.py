"""The native ``/v1`` face: JSON, snake_case, RFC 3339 times, RFC 9457 problem details."""
