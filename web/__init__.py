"""Web application: FastAPI app factory, staff pages, JSON API, payload codec endpoint."""
