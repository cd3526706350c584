"""A synthetic county (Hartshire) and its agencies' extracts, for testing and the demo.

Public API: `CountyParameters`, `generate_county`, `load_catalogues`. Pure Python
(numpy/polars); no Django.
"""

from wraparound.synth.catalogues import load_catalogues
from wraparound.synth.county import CountySummary, generate_county
from wraparound.synth.parameters import CountyParameters, ParameterError

__all__ = [
    "CountyParameters",
    "CountySummary",
    "ParameterError",
    "generate_county",
    "load_catalogues",
]
