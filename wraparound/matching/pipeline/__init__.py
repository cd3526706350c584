"""Record linkage without Django: C2-shaped person records in, people out.

The public surface is deliberately small; everything else in this package is internal.
"""

from wraparound.matching.pipeline.errors import (
    LinkageConfigurationError,
    LinkageError,
    LinkageInputError,
    TooManyComparisonsError,
)
from wraparound.matching.pipeline.linkage import LinkageResult, link_records
from wraparound.matching.pipeline.settings import LinkageSettings
from wraparound.matching.pipeline.standardise import standardise_records

__all__ = [
    "LinkageConfigurationError",
    "LinkageError",
    "LinkageInputError",
    "LinkageResult",
    "LinkageSettings",
    "TooManyComparisonsError",
    "link_records",
    "standardise_records",
]
