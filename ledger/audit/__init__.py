"""What an auditor and the treasurer use to trust the books: ``verify``, the audit
export, encrypted backups and their restore."""
