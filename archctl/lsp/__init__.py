"""archctl's language server: the same loaders and checkers, per open document, over LSP.

``server.py`` wires pygls features to small pure modules: ``analysis`` (load and check a
buffer as ``verify`` would), ``convert`` (archctl diagnostics to LSP types), ``symbols``
(declarations, references, outline), ``completion`` and ``actions`` (quick fixes). Each of
those takes text and positions and returns values, so they are tested without a client.
"""
