"""Invariant rules shared by the plugins and their tests: pure functions of the entries
(a subpackage, so that the books can never enable one as a plugin by itself)."""
