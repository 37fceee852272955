"""The HTTP server: parse the request, call the core, serialise the answer."""
