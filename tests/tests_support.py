"""Constants shared by tests (importable from test modules)."""

ENTERPRISE = "0403170701"
IBAN = "BE68539007547034"
