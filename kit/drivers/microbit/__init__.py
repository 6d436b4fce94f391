"""micro:bits on USB serial: the radio gateway's line protocol, port discovery and the link."""
