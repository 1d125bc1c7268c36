"""Ingestion: load a file, clean its text, split it into chunks for the knowledge base."""
