"""Data layer: the shared schema, database sessions, and read/write functions returning DataFrames."""
