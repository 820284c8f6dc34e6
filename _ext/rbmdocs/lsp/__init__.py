"""The language server (``rbmdocs lsp``): the project index and the check, live in an editor."""
