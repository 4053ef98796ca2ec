"""Beancount plugins of coopledger, one module each, pure functions of the entries.

The books enable them with ``plugin "plugins.<module>"``; coopledger's loader refuses any
plugin that is not one of these or one of beancount's own (``beancount.plugins.*``).
"""
