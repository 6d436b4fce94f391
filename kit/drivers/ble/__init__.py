"""BLE robots: micro:bit robots running the MakeCode Bluetooth UART program, driven over bleak."""
