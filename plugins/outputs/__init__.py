"""Built-in outputs."""
