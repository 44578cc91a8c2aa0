"""Alarms: their storage (``alarm.storage``); the API lives with the other
v2 controllers and an evaluator can be built on the same storage interface.
"""
