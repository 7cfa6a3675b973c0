"""save_figure: PNG + SVG + the table (CSV, and Excel and LaTeX on request), written atomically,
and shown inline when a Jupyter kernel runs it."""

from __future__ import annotations

import base64
import os

import matplotlib
import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest
from nbclient import NotebookClient
from PIL import Image

from analysis.viz.export import write_table
from analysis.viz.save import png_size, save_figure
from analysis.viz.fonts import setup_matplotlib

TABLE = pd.DataFrame({"term": ["全面从严治党", "法治_建设", "改革"], "n_target": [12, 7, 4],
                      "per_10k": [3.25, 2.0, 1.125]})


@pytest.fixture
def fig():
    setup_matplotlib()
    figure, ax = plt.subplots(figsize=(4, 3))
    ax.barh(TABLE["term"], TABLE["n_target"])
    ax.set_title("关键词")
    yield figure
    plt.close(figure)


def test_writes_png_of_the_size_drawn_svg_and_csv(tmp_path, fig):
    with matplotlib.rc_context({"savefig.bbox": "standard", "savefig.dpi": 200}):
        saved = save_figure(fig, "top_terms_test", TABLE, folder=tmp_path)
    assert set(saved) == {"png", "svg", "csv"} and all(p.parent == tmp_path for p in saved.values())
    with Image.open(saved["png"]) as im:
        assert im.format == "PNG" and im.size == (800, 600) == saved.png_size  # 4 x 3 in at 200 dpi
    svg = saved["svg"].read_text(encoding="utf-8")
    assert "<title>top_terms_test</title>" in svg and "<text" not in svg  # glyphs as paths
    pd.testing.assert_frame_equal(pd.read_csv(saved["csv"]), TABLE, check_dtype=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["top_terms_test.csv", "top_terms_test.png", "top_terms_test.svg"]
    assert not plt.fignum_exists(fig.number)  # closed, so a notebook does not show it twice
    assert repr(saved) == f"saved top_terms_test.{{png,svg,csv}} in {tmp_path}"


def test_same_figure_gives_the_same_bytes(tmp_path, fig):
    a = save_figure(fig, "same", TABLE, folder=tmp_path / "a", close=False)
    b = save_figure(fig, "same", TABLE, folder=tmp_path / "b")
    assert all(a[k].read_bytes() == b[k].read_bytes() for k in ("png", "svg", "csv"))


def test_excel_and_latex_tables_on_request(tmp_path, fig):
    saved = save_figure(fig, "rates_test", TABLE, folder=tmp_path, tables=("csv", "xlsx", "tex"))
    assert set(saved) == {"png", "svg", "csv", "xlsx", "tex"}
    pd.testing.assert_frame_equal(pd.read_excel(saved["xlsx"], engine="openpyxl"), TABLE, check_dtype=False)
    tex = saved["tex"].read_text(encoding="utf-8")
    assert r"term & n\_target & per\_10k \\" in tex  # the header, LaTeX-escaped
    assert r"法治\_建设 & 7 & 2.000000 \\" in tex and r"\toprule" in tex and tex.strip().endswith(r"\end{tabular}")


def test_table_formats_from_the_environment(tmp_path, fig, monkeypatch):
    monkeypatch.setenv("ANALYSIS_TABLES", "csv,tex")
    assert set(save_figure(fig, "env_test", TABLE, folder=tmp_path)) == {"png", "svg", "csv", "tex"}


def test_bad_names_and_formats_are_refused_before_writing(tmp_path, fig):
    with pytest.raises(ValueError, match="figure name"):
        save_figure(fig, "fig 3?", folder=tmp_path)
    with pytest.raises(ValueError, match=r"figure bad_test: table format\(s\) \['docx'\]"):
        save_figure(fig, "bad_test", TABLE, folder=tmp_path, tables=("csv", "docx"))
    assert list(tmp_path.iterdir()) == []


def test_write_table_leaves_no_temporary_file_when_it_fails(tmp_path):
    too_long = pd.DataFrame({"x": range(1_048_576)})
    with pytest.raises(ValueError, match=r"big\.xlsx: 1,048,576 rows do not fit"):
        write_table(too_long, tmp_path / "big", ("xlsx",))
    assert list(tmp_path.iterdir()) == []


def test_png_size_names_a_file_that_is_not_png(tmp_path):
    fake = tmp_path / "x.png"
    fake.write_text("not an image")
    with pytest.raises(ValueError, match=r"x\.png: not a PNG"):
        png_size(fake)


def test_a_notebook_cell_shows_the_saved_chart(tmp_path):
    """Executed by a real Jupyter kernel (nbclient), with the headless agg backend as `make figures` has."""
    code = [
        "import matplotlib.pyplot as plt, pandas as pd\n"
        "from analysis.viz.save import save_figure\n"
        "fig, ax = plt.subplots(figsize=(3, 2)); ax.plot([2015, 2025], [1, 4]); ax.set_title('趋势')\n"
        f"save_figure(fig, 'trend_test', pd.DataFrame({{'year': [2015, 2025], 'n': [1, 4]}}), folder={str(tmp_path)!r})",
        "print(plt.get_fignums())",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in code])
    NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(tmp_path)}},
                   ).execute(env={**os.environ, "MPLBACKEND": "agg"})
    outputs = nb.cells[0].outputs
    images = [o for o in outputs if o.output_type == "display_data" and "image/png" in o.data]
    assert len(images) == 1, outputs
    assert base64.b64decode(images[0].data["image/png"]) == (tmp_path / "trend_test.png").read_bytes()
    width, height = png_size(tmp_path / "trend_test.png")
    assert images[0].metadata["image/png"] == {"width": width // 2, "height": height // 2}  # shown at 100 dpi
    result = [o for o in outputs if o.output_type == "execute_result"]
    assert result[0].data["text/plain"] == f"saved trend_test.{{png,svg,csv}} in {tmp_path}"
    assert nb.cells[1].outputs[0].text == "[]\n"  # closed: not drawn a second time
