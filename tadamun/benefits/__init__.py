"""Benefits: pension estimates from the record and the online retirement request."""
