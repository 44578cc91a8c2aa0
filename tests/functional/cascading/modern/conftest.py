"""The modern-region tests share the session's PostgreSQL, RabbitMQ and
Gnocchi + Aodh region (tests/conftest.py: ``postgres``, ``aodh_broker``,
``modern_region``); each module builds its cascade around that region and
empties it between tests."""
