"""ceilometer-proxy: a Ceilometer v2 API for local and cascading OpenStack."""
