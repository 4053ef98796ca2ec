"""Bank statement import: CODA, camt.053, MT940 and Belgian bank CSV exports.

* :mod:`importers.model` — the statement model every format is read into;
* :mod:`importers.coda`, :mod:`importers.camt`, :mod:`importers.mt940_reader`,
  :mod:`importers.bank_csv` — the readers (pure: bytes in, statements out);
  :mod:`importers.formats` recognises a file's format from its content;
* :mod:`ledger.demo.coda_writer` — a CODA writer of our own (tests and the demo);
* :mod:`importers.categorise` — where a movement goes (pure);
* :mod:`importers.entries` — the Beancount entries of movements and statements;
* :mod:`importers.service` — planning an import against the books (pure);
* :mod:`importers.run` — the import through the books' write path;
* :mod:`ledger.cli.imports` — ``coopledger import``; :mod:`importers.ingest` — beangulp importers;
* :mod:`ledger.demo.bank` — a year of statements for the demo hub.

Every error a bank file can cause is an :class:`importers.errors.BankFileError`.
"""
