"""Demo data for `make run`: agencies, employers and their workforce, through the services."""
