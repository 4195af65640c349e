"""Use cases: each one opens a unit of work, loads, asks the core, writes, records, commits."""
