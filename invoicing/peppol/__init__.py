"""Peppol delivery and receipt: an access-point interface, one adapter (e-invoice.be), the
outbox outside the books, and the delivery status recorded in the books.

See ``docs/peppol.md`` for the law, the providers' APIs and how this code uses them.
"""
