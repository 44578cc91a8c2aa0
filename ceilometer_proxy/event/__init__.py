"""Events: notifications kept as typed traits, StackTach-style.

Every notification the collector hears on the event topics is turned into
one event (``converter``, driven by ``event_definitions.yaml`` in
Ceilometer's format) and kept by an event storage driver
(``event.storage``), from which ``/v2/events`` answers.
"""
