"""Personal data: the registry of where it lives, export, erasure and audit-log retention."""
