"""Speech from written text: Vietnamese normalisation and synthesis backends.

A library like the rest of media_pipeline: no database, no web request. The WAV it
writes is an ordinary original; the pipeline renders and measures it like any upload.
"""

from .backends import SpeechError, Voice, available_voices, get_backend, synthesise
from .captions import Cue, cues_srt, sentences, synthesise_with_cues
from .normalise import normalise

__all__ = [
    "Cue",
    "cues_srt",
    "sentences",
    "synthesise_with_cues",
    "SpeechError",
    "Voice",
    "available_voices",
    "get_backend",
    "normalise",
    "synthesise",
]
