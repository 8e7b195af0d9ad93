"""Shared helpers: the test vectors (tests/vectors) and their input resolution."""

import json
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VECTORS_DIR = os.path.join(ROOT, "tests", "vectors")
sys.path.insert(0, VECTORS_DIR)

import derive  # noqa: E402  (tests/vectors/derive.py: input resolution + independent derivation)


@pytest.fixture(scope="session")
def vectors():
    with open(os.path.join(VECTORS_DIR, "vectors.json")) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def corpus():
    """Path of a file in the shared corpus."""
    return lambda rel: os.path.join(derive.corpus_root(), rel)
