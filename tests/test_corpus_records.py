"""The one check of a year value (analysis.corpus.records.parse_year), for the loaders and ``analysis index``."""

import numpy as np
import pandas as pd
import pytest

from analysis.corpus import load_csv, parse_year
from analysis.errors import CorpusError


@pytest.mark.parametrize("value, year", [
    (2020, 2020), ("2020", 2020), (" 2020 ", 2020), (2020.0, 2020), (np.int64(1954), 1954), (np.float64(1), 1),
    (2100, 2100), (None, None), ("", None), ("  ", None), (float("nan"), None), (pd.NA, None),
])
def test_parse_year_reads_whole_years_and_missing_ones(value, year):
    assert parse_year(value, "mine.csv, line 2") == year


@pytest.mark.parametrize("value", ["2020年", "２０２０", "20.5", 2020.5, True, np.bool_(True), 0, 2101, -5, "MMXX"])
def test_parse_year_refuses_what_is_not_a_year_naming_where(value):
    with pytest.raises(CorpusError, match=r"^mine\.csv, line 3: year .* is not a year"):
        parse_year(value, "mine.csv, line 3")


def test_the_loaders_check_years_with_parse_year(tmp_path):
    path = tmp_path / "mine.csv"
    path.write_text("doc_id,year,text\na,2019,一\nb,2020年,二\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"mine\.csv, line 3: year '2020年' is not a year"):
        load_csv(path)
    path.write_text("doc_id,year,text\na,2019,一\nb,,二\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="without a year"):
        assert load_csv(path)["year"].tolist() == [2019, pd.NA]
