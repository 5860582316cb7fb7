"""Each notebook in nbs/ is a test module: its cells run top to bottom, CPU flags only (cells marked `#| cuda` or
`#| slow` are skipped). Run one with `pytest -k 03_cache`."""
import os
from pathlib import Path

import pytest
import torch

# Without a GPU the kernels run in Triton's interpreter. It must be chosen before anything in this process imports
# Triton: notebooks share the process, and an earlier one can import it through torch or transformers.
if not torch.cuda.is_available(): os.environ.setdefault("TRITON_INTERPRET", "1")
from nbdev import test as nbdev_test
from nbdev.config import get_config

NBS = sorted((Path(__file__).parents[1] / "nbs").glob("*.ipynb"))

@pytest.mark.parametrize("nb", NBS, ids=lambda p: p.stem)
def test_notebook(nb):
    skip = get_config().tst_flags.split("|")
    ok, secs = nbdev_test.test_nb(nb, skip_flags=skip, showerr=True)
    assert ok, f"{nb.name} failed (traceback above)"
