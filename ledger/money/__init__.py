"""The hub's money through the year: the contribution rule, costs, grants, payouts, the
cash box, reconciliation with the bank, and closing a year."""
