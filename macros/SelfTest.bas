' The self-test `workbook-tools doctor --excel` runs, one step per Application.Run, so a failure names its step.
' It calls other modules only through Application.Run: it compiles on its own, so "macros do not run" and
' "another module does not compile" are told apart. The buttons use Interpreter and PythonProblem too.
Option Explicit

Private Const BUILT_FOR As String = "@BUILT_FOR@"

Public Function WT_BuiltFor() As String
    ' The versions the build stamped in: doctor compares them with the installed package.
    WT_BuiltFor = BUILT_FOR
End Function

Public Function WT_RoundTrip(ByVal marker As String) As String
    ' Python, started the way a button starts it (xlwings' RunPython), writes the marker and its own versions
    ' into the active (scratch) workbook; read back: "OK|marker|workbook-tools|xlwings|python".
    Dim problem As String, written As Object
    problem = PythonProblem(Interpreter())
    If problem <> "" Then
        WT_RoundTrip = problem
        Exit Function
    End If
    Set written = ActiveWorkbook.Worksheets(1).Range("A1:A4")
    On Error GoTo Failed
    Application.Run XlwingsMacro("RunPython"), "import workbook_tools.addin.self_test as t; t.answer('" & marker & "')"
    WT_RoundTrip = "OK|" & written.Cells(1, 1).Value & "|" & written.Cells(2, 1).Value & "|" & written.Cells(3, 1).Value & "|" & written.Cells(4, 1).Value
    Exit Function
Failed:
    WT_RoundTrip = "RUNPYTHON|" & Err.Description
End Function

Public Function Interpreter() As String
    ' The Python that RunPython starts, looked up as xlwings' module looks it up.
    Dim key As String
    #If Mac Then
        key = "INTERPRETER_MAC"
    #Else
        key = "INTERPRETER_WIN"
    #End If
    Interpreter = Application.Run(XlwingsMacro("GetConfig"), key, Application.Run(XlwingsMacro("GetConfig"), "INTERPRETER", "python"))
End Function

Public Function PythonProblem(ByVal python As String) As String
    ' "" when `python` exists and imports workbook_tools and xlwings, else "INTERPRETER|path" or "IMPORT|path".
    ' Windows only: on a Mac, RunPython reports it itself.
    #If Mac Then
        PythonProblem = ""
    #Else
        Dim code As Long
        If InStr(python, "\") > 0 Then
            If Dir(python) = "" Then
                PythonProblem = "INTERPRETER|" & python
                Exit Function
            End If
        End If
        code = -1
        On Error Resume Next
        ' find_spec: xlwings is found without importing it (that alone takes longer than the rest of this check)
        code = CreateObject("WScript.Shell").Run("""" & python & """ -B -c ""import importlib.util as u, workbook_tools; raise SystemExit(u.find_spec('xlwings') is None)""", 0, True)
        On Error GoTo 0
        If code <> 0 Then PythonProblem = "IMPORT|" & python
    #End If
End Function

Private Function XlwingsMacro(ByVal name As String) As String
    XlwingsMacro = "'" & ThisWorkbook.Name & "'!xlwings." & name
End Function
