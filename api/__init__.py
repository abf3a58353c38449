"""The HTTP API (FastAPI): relationship questions over the query catalog and a SPARQL endpoint."""
