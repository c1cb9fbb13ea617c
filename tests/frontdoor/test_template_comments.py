"""Django's {# ... #} comment ends on the line it starts; one spread over several lines is
not a comment at all and is shown to the user as text (it was, on the referral form's
child step). Longer comments use {% comment %}."""

from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_no_template_has_a_comment_tag_left_open_at_the_end_of_a_line():
    open_comments = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(template.read_text().splitlines(), start=1):
            if line.count("{#") > line.count("#}"):
                open_comments.append(f"{template.relative_to(TEMPLATES)}:{number}")
    assert open_comments == []
