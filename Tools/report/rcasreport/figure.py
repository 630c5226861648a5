"""Figures of the report: fixed pixel sizes, saved atomically, listed for index.html."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DPI = 100
# Pixel sizes (width, height) by kind of figure; Tests/EndToEndTests/PlotTests.swift checks them.
SIZES = {"map": (900, 700), "map_panels": (1500, 1000), "series": (1500, 900), "provinces": (1800, 1500),
         "bars": (1500, 800), "histogram": (1500, 550), "diagnostics": (1300, 1000)}


class Figures:
    """Writes PNGs into `folder` and remembers each with its section and caption."""

    def __init__(self, folder):
        self.folder = folder
        self.written = []          # (section, file name, caption)
        self.missing = []          # (section, what, why)

    def new(self, kind, **kwargs):
        width, height = SIZES[kind]
        return plt.figure(figsize=(width / DPI, height / DPI), dpi=DPI, **kwargs)

    def save(self, fig, section, name, caption):
        path = os.path.join(self.folder, name)
        tmp = path + ".tmp.png"
        fig.savefig(tmp, dpi=DPI)
        plt.close(fig)
        os.replace(tmp, path)
        self.written.append((section, name, caption))

    def skip(self, section, what, why):
        """A figure that cannot be drawn from this run: said on the page, never left out silently."""
        self.missing.append((section, what, why))
