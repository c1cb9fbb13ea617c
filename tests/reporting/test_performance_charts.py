"""The SVG chart renderer: accessible, escaped, and honest about missing weeks."""

from reporting.charts import weekly_chart

LABELS = ["w/c 6 Apr 2026", "w/c 13 Apr 2026", "w/c 20 Apr 2026"]


def chart(series, **kwargs):
    return weekly_chart(
        chart_id="c", title="Share <decided>", x_labels=LABELS, series=series, **kwargs
    )


def test_chart_is_an_image_named_by_its_title_and_described_in_words():
    svg = chart([("Share", [50.0, None, 75.0])], unit="%", y_max=100)
    assert 'role="img"' in svg and 'aria-labelledby="c-title c-desc"' in svg
    assert '<title id="c-title">Share &lt;decided&gt;</title>' in svg
    assert "Share: highest 75% (w/c 20 Apr 2026); latest 75% (w/c 20 Apr 2026)." in svg


def test_a_missing_week_is_a_gap_in_the_line_not_a_zero():
    svg = chart([("Share", [50.0, None, 75.0])], y_max=100)
    assert svg.count("<path ") == 2  # two runs, broken at the missing week
    assert svg.count("<circle ") == 3  # two weeks and the legend's sample


def test_series_are_told_apart_by_dash_and_marker_not_colour_alone():
    svg = chart([("Median", [1.0, 2.0, 3.0]), ("95th percentile", [4.0, 5.0, 6.0])])
    assert 'stroke-dasharray="6 3"' in svg
    assert "<rect " in svg  # the second series' square markers
    assert ">Median<" in svg and ">95th percentile<" in svg


def test_bar_chart_draws_one_bar_a_week_with_a_value():
    svg = chart([("All", [3, 0, None])], kind="bar")
    assert svg.count('<rect x="') == 2


def test_series_names_are_escaped():
    assert "<script>" not in chart([("<script>", [1, 2, 3])])
