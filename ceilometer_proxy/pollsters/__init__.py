"""Pollsters that feed energy and host measurements into Ceilometer.

``kwapi`` and ``watcher`` (with ``discovery``) are loaded by the
``ceilometer-polling`` agent through its entry points and import
Ceilometer; every other module here (options, probe parsing, catalog
selection, measurement decoding, the nanomsg receiver) is free of it, so
the standalone watcher listener and the API never pull Ceilometer in.
"""
