"""Problems the user can fix; `str()` of each is one Chinese sentence for them."""


class WorkbookToolsError(Exception):
    """Base class: the CLI prints the message and exits 2, Excel shows it in a box."""


class InputFileError(WorkbookToolsError):
    """The file cannot be read as an Excel workbook."""


class NoKnownSheet(WorkbookToolsError):
    """The workbook holds none of the team's sheets."""


class UnusableSetting(WorkbookToolsError):
    """A rule value on 设置 that a computation needs cannot be used."""


class OutputError(WorkbookToolsError):
    """The result cannot be written where it was asked to go."""


class WorkbookBusy(OutputError):
    """Another of our commands is writing the same workbook and did not finish in time."""


class WorkbookChanged(OutputError):
    """Someone saved the workbook after we read it; writing would overwrite their change."""


class WorkbookProtected(OutputError):
    """The change would write into a protected sheet or a workbook whose structure is protected."""


class WouldNeedRepair(OutputError):
    """What we would write breaks a rule Excel enforces; the workbook is left as it was."""


class ArchiveError(WorkbookToolsError):
    """The archive database cannot be reached, or what it holds does not match what was written to it."""
