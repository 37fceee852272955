"""skillsgap: UK training supply against labour-market demand, as linked data."""

__version__ = "0.1.0"
