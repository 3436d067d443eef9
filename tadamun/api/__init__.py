"""The REST API (django-ninja):
API keys, the validator, uploads, partner look-ups; OpenAPI at /api/openapi.json.
"""
