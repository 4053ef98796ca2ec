"""The integrity of the books, part of the core: the hash chain of sealed years, seals
against their close tags, sealing a year, signed commits."""
