"""archctl: model architecture specs and prove properties about them."""

__version__ = "0.1.0"
