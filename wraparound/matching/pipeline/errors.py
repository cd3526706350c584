"""Errors the linkage pipeline raises, each with a message the user can act on."""

from __future__ import annotations


class LinkageError(Exception):
    """Base class: something about the input or configuration stops linkage."""


class LinkageConfigurationError(LinkageError):
    """A catalogue, mapping file or setting is wrong (fix the file, then re-run)."""


class LinkageInputError(LinkageError):
    """The records given to the pipeline cannot be linked as they are."""


class TooManyComparisonsError(LinkageError):
    """The blocking rules would generate more comparisons than the configured ceiling."""
