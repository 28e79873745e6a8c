"""What the risk capability tells the others, without knowing them."""

from django.dispatch import Signal

# Sent inside the transaction that stored new case records (keyword `records`): receivers that
# react (e.g. flagging a safe-area announcement) do so in the same request and transaction.
cases_recorded = Signal()
