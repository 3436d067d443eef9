"""Affiliation: employees' immatriculation by their employer, and the self-employed (CASNOS)."""
