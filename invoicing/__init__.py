"""Invoicing in the hub's name: clients, invoices and credit notes, OGM, PDF, Peppol UBL.

The hub is always the supplier; a participant appears only as a pseudonymous code in the
books' metadata, never on a document sent to a client.
"""
