"""Notifications: e-mail through SMTP and an in-app inbox, in the person's language."""
