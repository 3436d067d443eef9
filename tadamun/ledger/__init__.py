"""The contributor account (ledger): an append-only list of entries per employer.

``services`` posts entries (dues, payments, penalties, waivers, corrections); ``selectors`` reads
balances, history, what is due when, and CSV. Rows are never updated or deleted: the database
refuses it (triggers created by migration 0002, on SQLite and PostgreSQL).
"""
