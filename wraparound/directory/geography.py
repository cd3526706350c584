"""Moved to ``wraparound.core.geography`` (wards, localities and centres are read by needs,
directory and referrals alike). This name is kept only while branches written against the old
path are merged; import from ``wraparound.core.geography``."""

from wraparound.core.geography import *  # noqa: F403
from wraparound.core.geography import (  # noqa: F401
    GEOGRAPHY_FILE,
    LOCALITIES_FILE,
    Geography,
    GeographyError,
    Ward,
    build_geography,
    distance_km,
    load_geography,
)
