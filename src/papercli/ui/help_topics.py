"""Built-in help topics (``papers help queries|formats|config``): what a pip-installed
user has instead of the README. Pure text; the configuration topic is written from
the settings schema itself, so it never disagrees with ``papers config init``."""

from __future__ import annotations

QUERIES = """\
Queries: one language for today, list, search --offline, trends, watch rules and
show --highlight.

  diffusion video              both terms (terms are ANDed; AND may be written)
  diffusion OR flow            either (OR binds looser: a b OR c is (a b) OR c)
  -video, NOT video            exclude (after '--': papers today -- agent -video)
  (rl OR reinforcement) agent  parentheses group
  "diffusion model"            a quoted phrase is one term
  title:, abstract: / abs:     only that field (a bare term: title or abstract)
  author: / au:                one author's name: au:hinton, au:"g hinton"
  org:, keyword: / kw:         the Hugging Face organization, the AI keywords
  cat:cs.LG, cat:cs            an arXiv category, or a whole archive
  id:2507.11001, id:2507       an arXiv id (any version), or ids starting so
  title:(diffusion OR flow)    a field applies to every term of a group

Matching ignores case and accents and is a prefix at the start of a word
(batch finds "batches", not "minibatch"); a hyphen, a space or nothing between
the parts of a term are alike: mini-batch, minibatch and "mini batch" all find
"mini-batch", "minibatch" and "Mini batches".

Online search sends plain words to the service: fields need --offline (with
--source arxiv, arXiv's own au:, ti:, abs:, cat:, id: work too).

A malformed query (an unbalanced parenthesis or quote, an empty field such as
title:, OR with nothing after it) is a usage error saying where (exit 2).

Examples:
  papers today mini-batch
  papers list --month 2025-07 -- 'agent -survey'
  papers search --offline -- 'au:hinton (distillation OR "knowledge transfer")'
"""


def formats_text() -> str:
    """The formats, from the export registry (the one list of them)."""
    from papercli import export

    rows = [("table", "the terminal table (default); with -o FILE.txt, plain text")]
    rows += [(name, text) for name, _endings, text in export.describe()]
    endings = ".txt .text (table), " + ", ".join(
        " ".join(entry.suffixes) for entry in export.REGISTRY
    )
    lines = [
        "Formats: --format FORMAT (or -o FILE, the format chosen by the file's ending).",
        "",
        *(f"  {name:<7} {text}" for name, text in rows),
        "",
        f"File endings: {endings}.",
        "-o never overwrites a file without --force; '-' is stdout. On a terminal, long",
        "output goes through $PAGER (--no-pager: all at once); piped, it is plain text.",
        "",
        "Examples:",
        "  papers list --week 2025-W28 -o week.md",
        "  papers search --offline au:hinton -o hinton.bib",
        "  papers library --format html -o reading-list.html",
        "  papers today --format ids | head -3",
    ]
    return "\n".join(lines) + "\n"


_CONFIG_HEAD = """\
Configuration: {path}
(papers config path prints it; PAPERS_HOME relocates it with the cache and state).
papers config init writes it with every key and its default; papers config show
prints the values in effect. Every key is optional:
"""

_CONFIG_TAIL = """\
Environment: PAPERS_HF_URL, PAPERS_ARXIV_RSS_URL and PAPERS_ARXIV_URL override the
base URLs; PAPERS_HOME holds config.toml, cache/ and state/; PAPERS_PAGER or PAGER
names the pager; NO_COLOR turns colours off.

Watch rules ([watch.NAME] tables; papers watch add NAME QUERY... writes them):
  query        the query (see papers help queries)
  sources      ["hf", "arxiv"]: where to look (default: [display] default_source)
  categories   ["cs.LG"]: arXiv categories or archives the papers must have
  min_upvotes  5: at least this many upvotes
"""

TOPICS = {
    "queries": "the query language: words, phrases, OR, exclusions, fields",
    "formats": "output formats, -o file endings, paging",
    "config": "the configuration file's keys, environment variables, watch rules",
}


def config_text(path: str) -> str:
    """The configuration topic, from :data:`papercli.config.SCHEMA`."""
    import tomli_w

    from papercli.config import SCHEMA

    lines = [_CONFIG_HEAD.format(path=path)]
    for section, keys in SCHEMA.items():
        lines.append(f"[{section}]")
        for key, (_kind, default, comment) in keys.items():
            value = tomli_w.dumps({key: default}).strip()
            lines.append(f"  {value}")
            lines.append(f"      {comment}")
        lines.append("")
    lines.append(_CONFIG_TAIL)
    return "\n".join(lines)


def topic_text(name: str, config_path: str = "config.toml") -> str:
    if name == "queries":
        return QUERIES
    if name == "formats":
        return formats_text()
    return config_text(config_path)


def index_text() -> str:
    width = max(len(name) for name in TOPICS)
    rows = [f"  papers help {name.ljust(width)}  {what}" for name, what in TOPICS.items()]
    return "Help topics:\n" + "\n".join(rows) + "\n\nEvery command: papers COMMAND --help\n"
