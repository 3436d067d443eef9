"""Supporting documents:
checked on upload, stored outside the web root, visible to their owner and the handling agency.
"""
