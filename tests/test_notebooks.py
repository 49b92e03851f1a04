"""The notebooks in `notebooks/` run top to bottom against the public API (with the small
parameters below injected after their `parameters` cell), and are committed without
outputs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parent.parent / "notebooks"
SMALL = {
    "01-first-scenario.ipynb": "STORM_DURATION = \"20m\"",
    "02-zone-failure-what-if.ipynb": "SEEDS = 1",
    "03-capacity-plan.ipynb": 'REPLICAS = [2, 3]; READ_MAX_RUNNING = [8, 32]; PULLS_PER_SECOND = [20]; SEEDS = 1; '
                              'DURATION = "20m"; WORKERS = 2',
}


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def with_small_parameters(notebook, overrides: str):
    """Insert the overrides right after the cell tagged `parameters` (papermill's way)."""
    index = next(i for i, cell in enumerate(notebook.cells) if "parameters" in cell.metadata.get("tags", []))
    notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(overrides))
    return notebook


def test_the_three_notebooks_of_the_issue_exist():
    assert [p.name for p in notebooks()] == sorted(SMALL)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_a_notebook_is_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_a_notebook_runs_top_to_bottom(path, tmp_path):
    notebook = with_small_parameters(nbformat.read(path, as_version=4), SMALL[path.name])
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
