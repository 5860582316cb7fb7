"""Each notebook in nbs/ is a test module: its cells run top to bottom, CPU flags only (cells marked `#| cuda` or
`#| slow` are skipped). Run one with `pytest -k 03_cache`."""
from pathlib import Path

import pytest
from nbdev import test as nbdev_test
from nbdev.config import get_config

NBS = sorted((Path(__file__).parents[1] / "nbs").glob("*.ipynb"))

@pytest.mark.parametrize("nb", NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    skip = get_config().tst_flags.split("|")
    ok, secs = nbdev_test.test_nb(nb, skip_flags=skip, showerr=True)
    assert ok, f"{nb.name} failed (traceback above)"
