"""xpusim: simulator and planner for AI compute infrastructure.

    import xpusim
    s = xpusim.Session()
    r = s.train(model="llama3-70b", system="dgx-h100", gpus=64, tp=8, pp=2,
                seq_len=8192, global_batch=256)
    r["mfu"], r["feasible"]

Results are plain dicts with the keys of the CLI's JSON output. Bad input raises
xpusim.InputError; a design that does not fit is a result with feasible False.
"""


class InputError(ValueError):
    """A bad input, named as precisely as the CLI names it (the CLI exits 2 on these)."""

    def __init__(self, message, file=None, line=None, field="", value="", expected=""):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        self.value = value
        self.expected = expected


from ._xpusim import Session, fields, suites, __version__  # noqa: E402
from . import _xpusim as _core  # noqa: E402

_core._set_input_error(InputError)

__all__ = ["Session", "InputError", "fields", "suites", "__version__"]
