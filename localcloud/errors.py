"""The error the command line reports as a sentence, not a traceback."""


class CloudError(RuntimeError):
    """Something the person running the command must act on."""
