"""Test support shipped with the package: benchmark harnesses that build throwaway data.

Nothing here is imported by the product's pages, APIs or pipelines; the ``bench`` commands
import it lazily. It may use the apps' test builders and swap collaborators for comparison
runs, which product code must never do.
"""
