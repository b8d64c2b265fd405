"""Pure domain logic: no files, no database, no web."""
