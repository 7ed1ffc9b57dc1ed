' workbook-tools ribbon: one small sub per button; the work is done in Python.
' Kept in UTF-8 for review; the build turns Chinese text into ChrW() so the
' binary module is ASCII whatever code page Excel runs under.
Option Explicit

Private Function TOOL() As String
    TOOL = "售后工具"
End Function

Public Sub WT_Validate(control As IRibbonControl)
    RunTool "validate()"
End Sub

Public Sub WT_Handover(control As IRibbonControl)
    Dim fromAgent As String, toAgent As String
    If Not HasWorkbook() Then Exit Sub
    fromAgent = InputBox("交接人（留空则按「设置」表的排班）：", "交接班")
    If fromAgent = "" Then
        RunTool "shift_handover()"
        Exit Sub
    End If
    toAgent = InputBox("承接人：", "交接班")
    If toAgent = "" Then Exit Sub
    RunTool "shift_handover(from_agent=" & PyText(fromAgent) & ", to_agent=" & PyText(toAgent) & ")"
End Sub

Public Sub WT_Acknowledge(control As IRibbonControl)
    ' Excel's own InputBox answers False on Cancel, so Cancel confirms nothing; an empty answer means the roster.
    Dim answer As Variant, agent As String
    If Not HasWorkbook() Then Exit Sub
    answer = Application.InputBox("承接人（留空则按「设置」表的排班，即现在当班的人）：", "确认接班", Type:=2)
    If VarType(answer) = vbBoolean Then Exit Sub
    agent = Trim$(CStr(answer))
    If agent = "" Then
        RunTool "acknowledge()"
    Else
        RunTool "acknowledge(agent=" & PyText(agent) & ")"
    End If
End Sub

Public Sub WT_DailyTotals(control As IRibbonControl)
    RunTool "daily_totals()"
End Sub

Public Sub WT_WeeklyReport(control As IRibbonControl)
    RunTool "weekly_report()"
End Sub

Public Sub WT_MonthlyReport(control As IRibbonControl)
    RunTool "monthly_report()"
End Sub

Public Sub WT_ChaseSummary(control As IRibbonControl)
    RunTool "chase_summary()"
End Sub

Public Sub WT_NewWorkbook(control As IRibbonControl)
    Dim template As String
    template = ThisWorkbook.Path & Application.PathSeparator & "workbook-tools-files" & Application.PathSeparator & "team.xlsx"
    If Dir(template) = "" Then
        MsgBox "找不到团队模板，请运行 workbook-tools install-addin 重新安装。", vbExclamation, TOOL
        Exit Sub
    End If
    Workbooks.Add template
End Sub

Private Function HasWorkbook() As Boolean
    ' xlwings names the active workbook as the caller: without one, RunPython fails with error 91.
    HasWorkbook = Not ActiveWorkbook Is Nothing
    If Not HasWorkbook Then MsgBox "请先打开要处理的工作簿，再点击按钮。", vbExclamation, TOOL
End Function

Private Sub RunTool(ByVal pythonCall As String)
    If Not HasWorkbook() Then Exit Sub
    If Not PythonReady() Then Exit Sub
    On Error GoTo Failed
    RunPython "import workbook_tools.excel as x; x." & pythonCall
    Exit Sub
Failed:
    MsgBox "运行 Python 时出错（" & Err.Description & "）：请运行 workbook-tools doctor 检查安装。", vbExclamation, TOOL
End Sub

Private Function PythonReady() As Boolean
    ' Checked once per Excel session: is there a Python that can import workbook_tools? (SelfTest module)
    Static checked As Boolean, ready As Boolean
    If Not checked Then
        ready = (PythonProblem(Interpreter()) = "")
        checked = True
    End If
    If Not ready Then MsgBox "没有找到 Python 或 workbook-tools：请安装 Python 3.11 以上版本，运行 pip install workbook-tools 和 workbook-tools install-addin，然后重启 Excel。", vbExclamation, TOOL
    PythonReady = ready
End Function

Public Function PyText(ByVal text As String) As String
    ' A Python string literal with every non-ASCII character as \uXXXX: code pages cannot mangle it.
    ' Public: doctor --excel calls it to see that this module compiles and passes Chinese through.
    Dim i As Long, code As Long, result As String
    result = "'"
    For i = 1 To Len(text)
        code = AscW(Mid$(text, i, 1)) And &HFFFF&
        If code >= 32 And code < 127 And code <> 39 And code <> 92 Then
            result = result & ChrW(code)
        Else
            result = result & "\u" & Right$("000" & Hex$(code), 4)
        End If
    Next i
    PyText = result & "'"
End Function
