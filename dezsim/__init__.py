"""dezsim: are Jiangsu's digital-economy plan targets reachable, with what probability, by when?

Public surface (nothing runs on import)::

    from dezsim import load_data
    ds = load_data()            # validated data/: regions, units, indicators, figures
"""

from dezsim.data import Dataset
from dezsim.data import load as load_data
from dezsim.errors import ConfigError, DataError, DezsimError, SimulationError

__all__ = ["ConfigError", "DataError", "Dataset", "DezsimError", "SimulationError", "load_data"]
__version__ = "0.1.0"
