"""Diagrams of specs: model -> DiagramGraph -> DOT, Mermaid, SVG or PNG.

One builder per spec kind makes a format-neutral :class:`~archctl.render.graph.DiagramGraph`;
overlays draw findings and traces on it; one renderer per format turns it into text or an
image. The CLI runs verify itself and passes the findings in: render/ sits beside check/.
"""
