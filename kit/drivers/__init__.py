"""Device drivers: micro:bits over USB serial (through a radio gateway) and BLE robots."""
