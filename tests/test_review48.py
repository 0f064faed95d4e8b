"""Review of session 48's library changes (1dbe91c..598ca18): each confirmed finding as a test."""

from __future__ import annotations

import threading
import warnings

from losssplit._capture import _aside


def _overlapped_in_two_threads() -> None:
    """This thread enters ``warnings_silenced``, another enters it, this one leaves, then the other."""
    here_in, there_in, here_out = threading.Event(), threading.Event(), threading.Event()

    def there() -> None:
        here_in.wait()
        with _aside.warnings_silenced():
            there_in.set()
            here_out.wait()

    other = threading.Thread(target=there)
    other.start()
    with _aside.warnings_silenced():
        here_in.set()
        there_in.wait()
    here_out.set()
    other.join()


def test_warnings_silenced_of_two_threads_crossing_restores_the_showing():
    """On 598ca18 each entry swapped ``warnings._showwarnmsg`` for its own silencer and put back what it
    found: two threads' entries crossing left the first thread's silencer installed for good, so every
    later warning of that thread (here the main thread's) was never shown again."""
    before = warnings._showwarnmsg
    _overlapped_in_two_threads()
    assert warnings._showwarnmsg is before
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        warnings.warn("shown after the library's ops", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["shown after the library's ops"]


def test_warnings_silenced_hides_only_the_threads_inside():
    """Inside, this thread's warnings are not shown and another thread's are (also on 598ca18: a guard of the fix)."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with _aside.warnings_silenced():
            warnings.warn("hidden", UserWarning, stacklevel=1)
            other = threading.Thread(target=warnings.warn, args=("from another thread", UserWarning))
            other.start()
            other.join()
            with _aside.warnings_silenced():  # (nested: still hidden after the inner one ends)
                pass
            warnings.warn("hidden too", UserWarning, stacklevel=1)
        warnings.warn("shown", UserWarning, stacklevel=1)
    assert [str(w.message) for w in seen] == ["from another thread", "shown"]
