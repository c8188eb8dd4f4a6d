from vlaser.report import Claim, render_markdown


def test_render_contains_claims_and_verdicts():
    claims = [
        Claim("II", "max inversion", "almost 100%", "0.97", True),
        Claim("III.A", "threshold", "≈ 12000", "14000", False, "a | b"),
        Claim("IV", "info", "", "1.0", None),
    ]
    md = render_markdown([("Fig. X", claims), ("Fig. Y", [])])
    assert "| II | max inversion | almost 100% | 0.97 | holds |" in md
    assert "**does not hold**" in md
    assert "a \\| b" in md
    assert "(no quantitative statements)" in md
