"""Shared by the sweep scripts: load a base experiment configuration with its
relative paths made absolute (so copies work from any folder) and set dotted
keys on it."""
import os

import yaml


def load_base(path):
    """The configuration at `path` with domain, observation and meteorology
    paths made absolute."""
    with open(path) as handle:
        base = yaml.safe_load(handle)
    base_dir = os.path.dirname(os.path.abspath(path))

    def absolute(p):
        return p if os.path.isabs(p) else os.path.normpath(os.path.join(base_dir, p))

    base["domain"] = absolute(base["domain"])
    observations = base.get("observations", {})
    for kind in ("satellite", "in_situ"):
        section = observations.get(kind, {})
        if "files" in section:
            section["files"] = [absolute(p) for p in section["files"]]
    meteorology = base.get("meteorology", {})
    if "directory" in meteorology:
        meteorology["directory"] = absolute(meteorology["directory"])
    if "files" in meteorology:
        meteorology["files"] = [absolute(p) for p in meteorology["files"]]
    return base


def put(config, dotted, value):
    """Sets `dotted` (e.g. assimilation.localization.cutoff_km) to `value`."""
    node = config
    keys = dotted.split(".")
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


def assign(config, assignment):
    """Applies one KEY=VALUE (VALUE read as YAML)."""
    key, _, text = assignment.partition("=")
    put(config, key.strip(), yaml.safe_load(text))
