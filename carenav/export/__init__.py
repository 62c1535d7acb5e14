"""Exports that leave the encrypted vault: pure functions from records to bytes (no Qt,
no vault). The caller writes the file and records the export in the audit trail."""
