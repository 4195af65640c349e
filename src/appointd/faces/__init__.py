"""API faces: each translates one wire format to core commands and core results back."""
