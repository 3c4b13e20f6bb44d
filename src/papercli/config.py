"""Where things live, and the configuration file.

``PAPERS_HOME`` (when set) holds everything: ``config.toml``, ``cache/`` and
``state/``. Otherwise platformdirs' user config, cache and state folders for
``papercli`` are used. The configuration is validated once, here: every key has
a type and a default, unknown keys and wrong types are one-line errors naming the
file and the key.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papercli.choices import SOURCES
from papercli.errors import ConfigError

# section -> key -> (type, default, comment). ``None`` defaults are optional keys.
SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], Any, str]]] = {
    "network": {
        "connect_timeout": ((int, float), 5.0, "Seconds to wait for a connection."),
        "read_timeout": ((int, float), 30.0, "Seconds to wait for data once connected."),
        "retries": (int, 3, "Retries on timeouts, connection errors, 429 and 5xx."),
        "backoff_seconds": (
            (int, float),
            0.5,
            "First retry delay; doubled each retry (with jitter), at most 8 s.",
        ),
        "max_retry_after": (
            (int, float),
            60.0,
            "Longest Retry-After (seconds) papercli waits; longer ones fail at once.",
        ),
        "total_timeout": ((int, float), 300.0, "Upper bound (seconds) on one command's fetching."),
        "max_body_mb": ((int, float), 10.0, "Largest response body accepted, in MB."),
    },
    "cache": {
        "ttl_minutes": (
            (int, float),
            60,
            "Today's, this week's and this month's listings are refetched when older.",
        ),
    },
    "display": {
        "default_source": (str, "hf", "Source of listings: hf, arxiv or all."),
        "mark_seen": (bool, True, "Remember papers shown in listings (for --new)."),
        "pager": (
            bool,
            True,
            "On a terminal, page output longer than the screen through $PAGER "
            "(default less, colours kept); never when piped. --no-pager turns it off once.",
        ),
    },
    "sources.hf": {
        "url": (str, "https://huggingface.co", "Hugging Face base URL (env: PAPERS_HF_URL)."),
        "concurrency": (int, 6, "Parallel requests when fetching a week or a month."),
    },
    "sources.arxiv": {
        "rss_url": (
            str,
            "https://rss.arxiv.org",
            "arXiv RSS base URL (env: PAPERS_ARXIV_RSS_URL).",
        ),
        "api_url": (
            str,
            "https://export.arxiv.org",
            "arXiv export API base URL (env: PAPERS_ARXIV_URL).",
        ),
        "categories": (list, ["cs.LG"], "Categories listed by --source arxiv and all."),
        "delay_seconds": (
            (int, float),
            3.0,
            "Minimum seconds between two arXiv requests (arXiv asks for 3).",
        ),
    },
    "export": {
        "bibtex_encoding": (
            str,
            "latex",
            "BibTeX text: latex (pdflatex with BibTeX or biber) or utf8 (XeLaTeX, LuaLaTeX).",
        ),
        "feed_base_url": (
            str,
            "",
            "Public URL of the folder Atom feeds are written to (-o FILE); empty: none.",
        ),
    },
    "email": {
        "host": (str, "localhost", "SMTP server for digests."),
        "port": (int, 587, "SMTP port."),
        "security": (str, "starttls", "starttls, ssl or none."),
        "username": (str, "", "SMTP user name (empty: no login)."),
        "from": (str, "", "Sender address."),
        "to": (str, "", "Recipient address (papers digest --to overrides)."),
        "password_env": (
            str,
            "PAPERS_SMTP_PASSWORD",
            "Environment variable holding the SMTP password (never stored here).",
        ),
    },
}

# Inclusive bounds of numeric keys (None: unbounded on that side).
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    ("network", "connect_timeout"): (0.001, 3600),
    ("network", "read_timeout"): (0.001, 3600),
    ("network", "retries"): (0, 10),
    ("network", "backoff_seconds"): (0, 60),
    ("network", "max_retry_after"): (0, 86400),
    ("network", "total_timeout"): (0.001, 86400),
    ("network", "max_body_mb"): (0.001, 1024),
    ("cache", "ttl_minutes"): (0, None),
    ("sources.hf", "concurrency"): (1, 32),
    ("sources.arxiv", "delay_seconds"): (0, 600),
    ("email", "port"): (1, 65535),
}

WATCH_KEYS: dict[str, type | tuple[type, ...]] = {
    "query": str,
    "sources": list,
    "categories": list,
    "min_upvotes": int,
}

ENV_URLS = {
    ("sources.hf", "url"): "PAPERS_HF_URL",
    ("sources.arxiv", "rss_url"): "PAPERS_ARXIV_RSS_URL",
    ("sources.arxiv", "api_url"): "PAPERS_ARXIV_URL",
}


@dataclass(frozen=True, slots=True)
class WatchRule:
    name: str
    query: str
    sources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_upvotes: int | None = None

    def to_table(self) -> dict[str, Any]:
        """The rule's keys as written in ``[watch.NAME]`` (empty ones left out)."""
        table: dict[str, Any] = {"query": self.query}
        if self.sources:
            table["sources"] = list(self.sources)
        if self.categories:
            table["categories"] = list(self.categories)
        if self.min_upvotes is not None:
            table["min_upvotes"] = self.min_upvotes
        return table


@dataclass(frozen=True)
class Settings:
    config_path: Path
    cache_dir: Path
    state_dir: Path
    values: dict[str, dict[str, Any]]
    watches: dict[str, WatchRule] = field(default_factory=dict)

    def get(self, section: str, key: str) -> Any:
        return self.values[section][key]

    # Shortcuts for the keys used on hot paths.
    @property
    def hf_url(self) -> str:
        return str(self.values["sources.hf"]["url"]).rstrip("/")

    @property
    def arxiv_rss_url(self) -> str:
        return str(self.values["sources.arxiv"]["rss_url"]).rstrip("/")

    @property
    def arxiv_api_url(self) -> str:
        return str(self.values["sources.arxiv"]["api_url"]).rstrip("/")

    @property
    def ttl_seconds(self) -> float:
        return float(self.values["cache"]["ttl_minutes"]) * 60

    @property
    def hf_concurrency(self) -> int:
        """Parallel requests when fetching a week or a month (``[sources.hf] concurrency``)."""
        return int(self.values["sources.hf"]["concurrency"])

    @property
    def arxiv_delay(self) -> float:
        """Seconds between two arXiv requests (``[sources.arxiv] delay_seconds``)."""
        return max(0.0, float(self.values["sources.arxiv"]["delay_seconds"]))

    @property
    def arxiv_categories(self) -> tuple[str, ...]:
        """``[sources.arxiv] categories``, as written (checked where they are used)."""
        return tuple(self.values["sources.arxiv"]["categories"])

    @property
    def default_source(self) -> str:
        """``[display] default_source``: hf, arxiv or all."""
        return str(self.values["display"]["default_source"])

    @property
    def mark_seen(self) -> bool:
        """``[display] mark_seen``: remember the papers listings show (for --new)."""
        return bool(self.values["display"]["mark_seen"])

    @property
    def pager(self) -> bool:
        """``[display] pager``: page long output on a terminal."""
        return bool(self.values["display"]["pager"])

    def to_toml_tables(self) -> dict[str, Any]:
        """The settings as nested TOML tables (``papers config show``)."""
        nested: dict[str, Any] = {}
        for section, values in self.values.items():
            if section.startswith("sources."):
                nested.setdefault("sources", {})[section.split(".", 1)[1]] = values
            else:
                nested[section] = values
        if self.watches:
            nested["watch"] = {name: rule.to_table() for name, rule in self.watches.items()}
        return nested


def paths() -> tuple[Path, Path, Path]:
    """(config file, cache folder, state folder)."""
    home = os.environ.get("PAPERS_HOME")
    if home:
        root = Path(home).expanduser()
        return root / "config.toml", root / "cache", root / "state"
    import platformdirs

    return (
        Path(platformdirs.user_config_dir("papercli")) / "config.toml",
        Path(platformdirs.user_cache_dir("papercli")),
        Path(platformdirs.user_state_dir("papercli")),
    )


def defaults() -> dict[str, dict[str, Any]]:
    return {
        section: {key: (list(v[1]) if isinstance(v[1], list) else v[1]) for key, v in keys.items()}
        for section, keys in SCHEMA.items()
    }


def _type_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}
    names[list] = "a list of strings"
    if kinds == (int, float):
        return "a number"
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _check(path: Path, where: str, value: Any, kind: type | tuple[type, ...]) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
    if ok and list in kinds:
        ok = all(isinstance(v, str) for v in value)
    if ok and isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{path}: {where} must be a finite number, not {value!r}.")
    if not ok:
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        raise ConfigError(f"{path}: {where} must be {_type_name(kind)}, not {shown}.")
    return value


def _flatten(data: dict[str, Any]) -> dict[str, Any]:
    """``{"sources": {"hf": {...}}}`` -> ``{"sources.hf": {...}}``, other tables as they are."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "sources" and isinstance(value, dict):
            for sub, table in value.items():
                out[f"sources.{sub}"] = table
        else:
            out[name] = value
    return out


def parse_config(text: str, path: Path) -> tuple[dict[str, dict[str, Any]], dict[str, WatchRule]]:
    """Validate a configuration file's text against :data:`SCHEMA`."""
    data: dict[str, Any] = {}
    if text.strip():  # most runs have no config file: skip the TOML parser's import
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}.") from None
        except RecursionError:
            raise ConfigError(f"{path}: not valid TOML: nested too deeply.") from None
    values = defaults()
    watches: dict[str, WatchRule] = {}
    for section, table in _flatten(data).items():
        if section == "watch":
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [watch] must be a table of watch rules.")
            for name, rule in table.items():
                watches[name] = _parse_watch(path, name, rule)
            continue
        if section not in SCHEMA:
            raise ConfigError(f"{path}: unknown section [{section}].")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table.")
        for key, value in table.items():
            if key not in SCHEMA[section]:
                known = ", ".join(SCHEMA[section])
                raise ConfigError(f"{path}: unknown key {key!r} in [{section}] (known: {known}).")
            kind = SCHEMA[section][key][0]
            values[section][key] = _check(path, f"[{section}] {key}", value, kind)
    if values["display"]["default_source"] not in SOURCES:
        raise ConfigError(f"{path}: [display] default_source must be hf, arxiv or all.")
    if values["email"]["security"] not in ("starttls", "ssl", "none"):
        raise ConfigError(f"{path}: [email] security must be starttls, ssl or none.")
    if values["export"]["bibtex_encoding"] not in ("latex", "utf8"):
        raise ConfigError(f"{path}: [export] bibtex_encoding must be latex or utf8.")
    base = values["export"]["feed_base_url"]
    if base and not base.startswith(("http://", "https://")):
        raise ConfigError(f"{path}: [export] feed_base_url must be an http(s) URL, not {base!r}.")
    for (section, key), (low, high) in RANGES.items():
        value = values[section][key]
        if (low is not None and value < low) or (high is not None and value > high):
            if high is None:
                bounds = f"at least {low:g}"
            elif low == 0.001:
                bounds = f"greater than 0 and at most {high:g}"
            else:
                bounds = f"between {low:g} and {high:g}"
            raise ConfigError(f"{path}: [{section}] {key} must be {bounds}, not {value!r}.")
    return values, watches


def _parse_watch(path: Path, name: str, rule: Any) -> WatchRule:
    if not isinstance(rule, dict):
        raise ConfigError(f"{path}: [watch.{name}] must be a table.")
    for key, value in rule.items():
        if key not in WATCH_KEYS:
            known = ", ".join(WATCH_KEYS)
            raise ConfigError(f"{path}: unknown key {key!r} in [watch.{name}] (known: {known}).")
        _check(path, f"[watch.{name}] {key}", value, WATCH_KEYS[key])
    if "query" not in rule:
        raise ConfigError(f"{path}: [watch.{name}] needs a query.")
    from papercli.errors import UsageError
    from papercli.query import Query

    try:
        Query.parse(rule["query"])
    except UsageError as exc:
        raise ConfigError(f"{path}: [watch.{name}] query: {exc}") from None
    return WatchRule(
        name=name,
        query=rule["query"],
        sources=tuple(rule.get("sources", ())),
        categories=tuple(rule.get("categories", ())),
        min_upvotes=rule.get("min_upvotes"),
    )


MAX_CONFIG_BYTES = 1 << 20  # a configuration file is a few KB; 1 MB is plenty


def read_config_text(path: Path) -> str:
    """The text of the configuration file ("" when there is none).

    Only a regular file is read, and at most :data:`MAX_CONFIG_BYTES` of it: a FIFO,
    a device (``/dev/zero``), a folder, a symlink loop or an endless file is a
    one-line :class:`ConfigError`, never a hang.
    """
    import stat

    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; checked right after.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise ConfigError(f"{path}: cannot be read: {what}.")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}.") from None
    finally:
        os.close(fd)
    if len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_BYTES >> 20} MB; not a config file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot be read: not UTF-8 text ({exc.reason}).") from None


def load() -> Settings:
    """Read the configuration file (if any) and apply environment overrides."""
    config_path, cache_dir, state_dir = paths()
    text = read_config_text(config_path)
    values, watches = parse_config(text, config_path)
    for (section, key), env in ENV_URLS.items():
        if os.environ.get(env):
            values[section][key] = os.environ[env]
    for section, key in ENV_URLS:
        url = str(values[section][key])
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"{section}.{key} must be an http(s) URL, not {url!r}.")
    return Settings(config_path, cache_dir, state_dir, values, watches)


def default_config_text(
    kept: dict[str, dict[str, Any]] | None = None, watches: dict[str, WatchRule] | None = None
) -> str:
    """A commented configuration with every key at its default (written by tomli-w).

    ``kept`` holds values the user set (section -> key -> value): they are written
    in place of the defaults, the default named in the comment. ``watches`` are
    written as ``[watch.NAME]`` tables after the example rule (``papers config init
    --force`` keeps both, so that rewriting the file loses nothing).
    """
    import tomli_w

    kept = kept or {}
    parts = [
        "# papercli configuration. Every key is optional; the values shown are the defaults.",
        "# Environment variables PAPERS_HF_URL, PAPERS_ARXIV_RSS_URL and PAPERS_ARXIV_URL",
        "# override the base URLs; PAPERS_HOME relocates this file, the cache and the state.",
        "",
    ]
    for section, keys in SCHEMA.items():
        parts.append(f"[{section}]")
        for key, (_kind, default, comment) in keys.items():
            value = kept.get(section, {}).get(key, default)
            if value != default or type(value) is not type(default):
                shown = tomli_w.dumps({"default": default}).strip().removeprefix("default = ")
                comment = f"{comment} (default: {shown})"
            parts.append(f"# {comment}")
            parts.append(tomli_w.dumps({key: value}).strip())
        parts.append("")
    parts += [
        "# Watch rules: papers watch add NAME QUERY writes these for you.",
        "# [watch.minibatch]",
        '# query = "mini-batch OR minibatch"',
        '# sources = ["hf", "arxiv"]',
        '# categories = ["cs.LG"]',
        "# min_upvotes = 5",
        "",
    ]
    if watches:
        tables = {"watch": {name: rule.to_table() for name, rule in watches.items()}}
        parts += [tomli_w.dumps(tables).strip(), ""]
    return "\n".join(parts)


def set_values(text: str, path: Path) -> dict[str, dict[str, Any]]:
    """The values a configuration file sets (validated), section -> key -> value."""
    parse_config(text, path)  # a file papercli rejects keeps nothing: a ConfigError
    if not text.strip():
        return {}
    import tomllib

    flat = _flatten(tomllib.loads(text))
    return {s: dict(t) for s, t in flat.items() if s != "watch" and isinstance(t, dict)}
