"""Declarations by form: the periods due, the pre-filled form, validation, preview, atomic and
idempotent submission with a numbered receipt, nil declarations and cancel-and-replace."""
