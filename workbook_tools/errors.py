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
