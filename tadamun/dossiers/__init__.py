"""Dossiers:
every request a person or employer makes, with its status history and the agency back-office queue.
"""
