"""Payments: a gateway interface, the built-in sandbox gateway, payment intents applied to the
ledger exactly once, and numbered receipts."""
