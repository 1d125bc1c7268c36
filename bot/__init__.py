"""The service: configuration, the knowledge service, HTTP API and command line."""
