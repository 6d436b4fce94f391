"""The classroom hub: broker, recorder, store, reports and privacy tools."""
