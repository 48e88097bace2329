"""Writes: every change to the database, each with its audit row, through one transaction helper."""
