"""Render the project's partials with the theme's Jinja environment. A helper, not a hook.

Markup lives in `overrides/partials/`, never in Python strings. Steps that write markup
into a page's content (the study bar, the page tools) render a partial here, as Material's
own hooks do; page templates read the model through the `handbook` global (site_data.py).
"""

from __future__ import annotations

_env = {}


def environment(config):
    """One environment per build (a new config object under `mkdocs serve`)."""
    if _env.get("config") is not config:
        _env["config"], _env["env"] = config, config.theme.get_env()
    return _env["env"]


def render(config, name: str, **context) -> str:
    return environment(config).get_template(name).render(config=config, **context).strip()


def study_labels(config) -> dict:
    from mkdocs.exceptions import PluginError

    labels = (config.extra.get("study") or {}).get("labels")
    if not labels:
        raise PluginError("mkdocs.yml: extra.study.labels is missing (study mode's labels)")
    return labels
