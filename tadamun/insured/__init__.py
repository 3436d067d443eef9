"""The insured person's space: sign-in, career statement, rights and the partners' rights check."""
