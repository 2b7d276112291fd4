"""The HtmlSanitizer contract (application/ports/html_sanitizer.py) against nh3: formatting kept, an
XSS corpus defused. Nothing that runs script, loads a resource or leaves through a dangerous scheme may
survive, however it is encoded, cased or malformed."""

from __future__ import annotations

import re

import pytest

from skillbridge.adapters.sanitizing.nh3_sanitizer import Nh3HtmlSanitizer
from skillbridge.application.ports.html_sanitizer import HtmlSanitizer

SANITIZERS = [Nh3HtmlSanitizer]

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<script>/*</script><script>*/alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<IMG SRC=javascript:alert('XSS')>",
    '<p onclick="alert(1)" onmouseover=alert(1)>click</p>',
    "<strong ONLOAD=alert(1)>bold</strong>",
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">mixed case</a>',
    '<a href="  javascript:alert(1)">leading spaces</a>',
    '<a href="java\tscript:alert(1)">tab inside</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">decimal entities</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">hex entities</a>',
    '<a href="javascript&colon;alert(1)">named entity</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">data upper</a>',
    '<a href="vbscript:msgbox(1)">vbscript</a>',
    '<a href="VBScript:msgbox(1)">vbscript mixed</a>',
    "<svg onload=alert(1)><circle r=1 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    '<math href="javascript:alert(1)">maths</math>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<video><source onerror="alert(1)"></video>',
    "<!--<script>alert(1)</script>-->",
    '<a href="#" onclick="alert(1)">hash</a>',
    "<<script>alert(1)//<</script>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    '<blockquote cite="javascript:alert(1)">quote</blockquote>',
]

_SCRIPT = re.compile(r"<\s*script", re.IGNORECASE)
_EVENT_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)
_DANGEROUS_SCHEME = re.compile(r"(javascript|vbscript|data)\s*:", re.IGNORECASE)
_TAG = re.compile(r"<\s*([a-zA-Z][\w:-]*)")
ALLOWED = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"}


@pytest.fixture(params=SANITIZERS)
def sanitizer(request: pytest.FixtureRequest) -> HtmlSanitizer:
    made: HtmlSanitizer = request.param()
    return made


def _attribute_values(html: str) -> list[str]:
    return re.findall(r'=\s*"([^"]*)"', html)


def test_the_corpus_is_large_enough() -> None:
    assert len(XSS_CORPUS) >= 25


@pytest.mark.parametrize("vector", XSS_CORPUS)
def test_no_xss_vector_survives(sanitizer: HtmlSanitizer, vector: str) -> None:
    for cleaned in (sanitizer.clean(vector), sanitizer.text(vector)):
        assert not _SCRIPT.search(cleaned), cleaned
        assert not _EVENT_HANDLER.search(cleaned), cleaned
        assert {tag.lower() for tag in _TAG.findall(cleaned)} <= ALLOWED, cleaned
        # No attribute value (where a browser would decode entities) names a dangerous scheme.
        assert not any(_DANGEROUS_SCHEME.search(value) for value in _attribute_values(cleaned)), cleaned
        assert "style=" not in cleaned.lower()
        assert "<img" not in cleaned.lower()


def test_formatting_survives_and_links_get_rel(sanitizer: HtmlSanitizer) -> None:
    html = (
        "<p>Use <strong>csv</strong> or <em>pandas</em>:<br></p><pre><code>import csv</code></pre>"
        "<ul><li>one</li></ul><ol><li>two</li></ol><blockquote>quoted</blockquote>"
    )
    assert sanitizer.clean(html) == html
    link = sanitizer.clean('<a href="https://docs.python.org/3/library/csv.html" title="t" target="_blank">docs</a>')
    assert link == '<a href="https://docs.python.org/3/library/csv.html" rel="nofollow noopener noreferrer">docs</a>'
    assert 'href="mailto:amara@example.org"' in sanitizer.clean('<a href="mailto:amara@example.org">mail</a>')
    assert 'href="http://example.org"' in sanitizer.clean('<a href="http://example.org">plain http</a>')
    for other in ("ftp://example.org/x", "/relative/path", "file:///etc/passwd"):
        assert "href" not in sanitizer.clean(f'<a href="{other}">x</a>')


def test_text_drops_every_tag_and_escapes(sanitizer: HtmlSanitizer) -> None:
    assert sanitizer.text("<p>Hello <strong>world</strong></p><script>x()</script>") == "Hello world"
    assert sanitizer.text("a < b && c > d") == "a &lt; b &amp;&amp; c &gt; d"
    assert sanitizer.clean("<p>unclosed <em>tags") == "<p>unclosed <em>tags</em></p>"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("<img src=x onerror=alert(1)>Amara", "Amara"),
        ("<script>alert(1)</script>Kofi", "Kofi"),
        ("Tom &amp; Jerry", "Tom & Jerry"),
        ("Tom & Jerry", "Tom & Jerry"),
        ("a < b and c > d", "a < b and c > d"),
        ("I <3 Python", "I <3 Python"),
        ("&lt;img src=x onerror=alert(1)&gt;Zawadi", "Zawadi"),  # markup hidden in entities goes too
        ("&amp;lt;b&amp;gt;bold", "bold"),
        ("<b>Ngozi</b> <i>Obi</i>", "Ngozi Obi"),
        ("Ama\u00a0Mensah", "Ama\u00a0Mensah"),
    ],
)
def test_plain_keeps_the_text_and_no_markup(sanitizer: HtmlSanitizer, raw: str, expected: str) -> None:
    assert sanitizer.plain(raw) == expected


@pytest.mark.parametrize("vector", XSS_CORPUS)
def test_plain_text_of_any_vector_holds_no_tag(sanitizer: HtmlSanitizer, vector: str) -> None:
    plain = sanitizer.plain(vector)
    assert sanitizer.plain(plain) == plain  # stable: storing it again changes nothing
    assert not re.search(r"<[a-zA-Z/!?]", plain), plain
