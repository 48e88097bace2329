"""Creatives' files: receive, sniff, decode, re-encode, probe and store them (docs/CREATIVES.md)."""
