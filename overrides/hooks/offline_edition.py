"""The offline edition's own file: the theme's Web Worker shim for file://.

The theme's offline plugin (mkdocs.offline.yml) loads the shim from unpkg.com unless
`extra.polyfills` names a copy. This step writes that copy from node_modules, where
package-lock.json pins it, so the edition loads nothing from another host. It runs only
in the offline edition (extra.edition: offline).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

SHIM = "node_modules/iframe-worker/shim/index.js"
TARGET = "assets/javascripts/iframe-worker.js"


def on_post_build(config):
    if config.extra.get("edition") != "offline":
        return
    if TARGET not in config.extra.get("polyfills", []):
        raise PluginError(f"{config.config_file_path}: extra.polyfills must name {TARGET}, "
                          "or the theme's offline plugin loads the shim from unpkg.com")
    source = Path(config.config_file_path).parent / SHIM
    if not source.is_file():
        raise PluginError(f"{source} is missing: the offline edition copies the theme's Web Worker "
                          "shim from it (`make deps` installs it)")
    shutil.copyfile(source, Path(config.site_dir) / TARGET)
