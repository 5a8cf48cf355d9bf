"""Presets shipped with artkit: YAML files addressable by name (``artkit run quickstart``)."""
