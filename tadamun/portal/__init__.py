"""Web pages. Thin: parse input, call a service or a selector, render."""
