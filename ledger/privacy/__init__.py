"""Participants' safety, part of the core: the roster guard on free texts, the shapes of
personal values, receipts cleaned of their metadata, key rotation."""
