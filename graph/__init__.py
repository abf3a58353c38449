"""The graph layer: terms, the store abstraction, loaders and the build that ties them together.

Imported as ``tradekg.graph``; it never imports ``tradekg.queries`` or ``tradekg.api``.
"""
