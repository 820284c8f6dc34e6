"""``python -m rbmdocs``: the same as the ``rbmdocs`` command."""

from __future__ import annotations

from rbmdocs.cli import main

raise SystemExit(main())
