"""Reads: functions that take the caller's Scope and return DataFrames with a documented column list."""
