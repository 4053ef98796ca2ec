"""Supplier e-invoices in: Peppol BIS 3.0 UBL read, checked, booked as payable costs,
the XML archived as the legal document (``docs/peppol.md`` §6)."""
