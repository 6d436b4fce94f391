"""kit: the classroom robotics and creative-activity controller."""

__version__ = "0.1.0"
