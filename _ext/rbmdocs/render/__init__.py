"""Render: generated tables, reference pages and per-language labels, from the resolved graph."""
