"""ceilometer-proxy: a Ceilometer v2 API for local and cascading OpenStack."""

import warnings

# futurist (through tooz and oslo.messaging) imports eventlet when it is
# installed and eventlet warns on import; nothing here runs on eventlet.
warnings.filterwarnings('ignore', message=r'\s*Eventlet is deprecated')
