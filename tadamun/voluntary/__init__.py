"""Nationals living abroad: voluntary membership, fully online, with quarterly contributions."""
