"""artkit's built-in plugins, installed as ``artkit_plugins``.

Each module is declared as an entry point in the ``artkit`` group in pyproject.toml, exactly as a
third-party package declares its own; the core never imports this package by name.
"""
