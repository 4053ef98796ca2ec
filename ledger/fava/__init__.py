"""Fava, guarded: read-only unless ``--edit``, every edit through the one write path."""
