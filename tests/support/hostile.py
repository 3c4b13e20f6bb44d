"""Hostile papers for the export and mail tests: remote text that tries to be markup."""

from __future__ import annotations

from papercli.models import Paper

HOSTILE_TITLES = [
    "[x](javascript:alert(1)) click me",
    "<script>alert(1)</script> and <img src=x onerror=alert(1)>",
    "![img](http://x.example/a.png) inline image",
    "| pipes | in | a | title |",
    "# heading at the start",
    "*bold* _em_ **strong** __strong__ ~~strike~~ ==mark==",
    "`code` and ```fence``` and <code>x</code>",
    "LaTeX {braces} 100% & $x_1^2$ #hash _under_ back\\slash ~tilde^caret",
    "\x1b[31mRed\x1b[0m \x1b]8;;http://evil.example\x07OSC link\x1b]8;;\x07 text",
    "Bidi \u202egnp.exe\u202c override and \u2066isolate\u2069",
    "Links: https://evil.example/p?q=1 www.evil.example user@evil.example //evil.example",
    "Entities &amp; &lt;b&gt; &#x3C;script&#x3E; &copy;",
    "1. numbered - dash > quote + plus",
    "[[Wiki link]] #tag %%comment%% [^1] :smile: <!-- html comment -->",
    "Ünïcödé 李明 Émile Borel 🙂 naïve café",
    "Title with\nline break\r\nand\ttab",
    "\\[escaped\\] \\\\ back",
    "---",
    "And and AND: a paper by the {and} people",
]

LONG_ABSTRACT = ("A long abstract about mini-batch training & <tags> [x](y). " * 1700)[:100_000]


def hostile_papers() -> list[Paper]:
    papers = []
    for i, title in enumerate(HOSTILE_TITLES):
        papers.append(
            Paper(
                id=f"2507.{11100 + i}",
                title=title,
                authors=(
                    f"[Author](javascript:x) {i}",
                    "Émile <b>Borel</b> and Sons",
                    "李明",
                    "O'Brien, Jr. *star*",
                ),
                abstract=(
                    LONG_ABSTRACT
                    if i == 0
                    else f"Abstract of {title}\n\nSecond <p>paragraph</p> & more ![i](j)."
                ),
                published=f"2025-07-{10 + i % 5:02d}T12:00:00.000Z",
                listed="2025-07-15",
                upvotes=i * 7,
                organization="<b>Org</b> [link](http://evil.example) | x",
                github_url="https://github.com/example/repo_(1)" if i % 2 == 0 else None,
                github_stars=1500 if i % 2 == 0 else None,
                project_page="javascript:alert(1)" if i % 3 == 0 else "https://example.org/p a",
                ai_keywords=("k1", "k,2"),
                categories=("cs.LG", "stat.ML"),
                sources=("hf",),
                doi="10.48550/arXiv.2507.11100" if i == 1 else None,
            )
        )
    papers.append(Paper(id="not-an-arxiv-id", title="HF only {paper}", sources=("hf",)))
    return papers
