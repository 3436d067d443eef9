"""Gap-free sequence numbers (receipts of declarations, of payments…), one place for all."""
