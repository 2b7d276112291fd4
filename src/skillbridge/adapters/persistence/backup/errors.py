"""The one error of backups and restores; its message is meant for the operator as it is."""


class BackupError(Exception):
    """A backup or restore was refused or failed; ``str()`` says why and what to do."""
