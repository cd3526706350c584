"""Shared fixtures: one small synthetic county per test session (pure files, no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from wraparound.synth import CountyParameters, generate_county


@pytest.fixture(scope="session")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("records-county")
    generate_county(CountyParameters(households=300, seed=2), out)
    return out
