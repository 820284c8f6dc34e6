"""The bridge between Sphinx/sphinx-needs and the Sphinx-free parts of rbmdocs.

``bridge.setup_bridge`` registers everything; this package file stays empty so that the
render modules can import ``rbmdocs.sphinx.checking`` without loading the whole bridge.
"""
