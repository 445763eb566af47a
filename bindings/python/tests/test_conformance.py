"""Runs every shared conformance vector as one pytest case."""
import os

import pytest

from conformance_runner import load_vectors, needs_sim, run_vector, sim_url

VECTORS = load_vectors()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("vector", [v for _, v in VECTORS], ids=[n for n, _ in VECTORS])
def test_vector(vector, mode, tmp_path):
    if needs_sim(vector) and not sim_url():
        if os.environ.get("CI", "false") != "false":
            pytest.fail("CI is set but DUCTAPE_SIM_URL is not: the simulator vectors would be skipped")
        pytest.skip("needs the simulator (set DUCTAPE_SIM_URL)")
    run_vector(vector, str(tmp_path), mode)
