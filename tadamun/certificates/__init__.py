"""Certificates:
PDFs in French and Arabic with an Ed25519-signed QR code, and their public verification.
"""
