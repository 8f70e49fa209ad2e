"""Articles are rendered safely, with links between resources and images from the pack."""

from __future__ import annotations

from app.articles import render, resource_link_target

PATHS = {"lessons/two.md": "org.x/two", "lessons/sub/three.html": "org.x/three"}


def test_markdown_is_rendered_and_sanitised() -> None:
    text = (
        "# Title\n\nSome *text* with a [link](two.md#part) and [web](https://example.org).\n\n"
        "<script>alert(1)</script><p onclick=\"x()\">raw</p>\n\n"
        "![map](../assets/map.png) ![remote](https://example.org/a.png)\n\n"
        "[bad](javascript:alert(1)) [missing](nowhere.md) [up](../../etc/passwd)\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n"
    )
    out = render(text, "text/markdown", "lessons/one.md", PATHS.get)
    assert "<h1>Title</h1>" in out.html and "<em>text</em>" in out.html
    assert 'href="ujuzi:resource/org.x/two#part"' in out.html
    assert 'href="https://example.org"' in out.html
    assert "<script" not in out.html and "onclick" not in out.html and "alert(1)<" not in out.html
    assert 'src="pack:assets/map.png"' in out.html
    assert "example.org/a.png" not in out.html
    assert "href=\"javascript" not in out.html and "passwd" not in out.html
    assert "<table>" in out.html
    assert out.images == ["assets/map.png"]
    assert out.links == ["org.x/two"]


def test_html_body_is_used() -> None:
    html = ("<html><head><title>T</title><style>p{}</style></head>"
            "<body><p>Hello <a href='sub/three.html'>three</a></p></body></html>")
    out = render(html, "text/html", "lessons/one.html", PATHS.get)
    assert out.html == '<p>Hello <a href="ujuzi:resource/org.x/three">three</a></p>'


def test_link_targets() -> None:
    assert resource_link_target("ujuzi:resource/org.x/two#part") == ("org.x/two", "part")
    assert resource_link_target("https://example.org") is None
