"""The one error the command line reports as a sentence, without a traceback."""


class CloudError(RuntimeError):
    """Something the person running the command must act on."""
