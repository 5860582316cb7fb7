__version__ = "0.1.0"

from .core import SpectralConfig, load_model, load_text
from .spectral_cache import SpectralCache
from .integration import enable_spectral, disable_spectral
from .unsloth_integration import patch_unsloth, unpatch_unsloth

__all__ = ["SpectralConfig", "SpectralCache", "enable_spectral", "disable_spectral", "patch_unsloth",
           "unpatch_unsloth", "load_model", "load_text"]
