Attribute VB_Name = "XlClient"
' xlclient buttons for Excel on Windows and Mac (ASCII only; Chinese text is written as
' \uXXXX escapes and decoded by U() at run time, because a VBA module has no Unicode code page).
'
' Each button runs one function of the Python module xlclient.macros through the xlwings
' add-in's RunPython, called late-bound with Application.Run: the workbook needs no VBA
' reference to the add-in, so it opens and compiles on every computer, and a computer
' without the add-in gets a clear message instead of "Can't find project or library".
' RunPython works on ActiveWorkbook (the workbook whose button was clicked): it reads this
' workbook's xlwings.conf sheet and passes its name to Python, where xlwings.Book.caller()
' finds it.
'
' XLPy() below lets the module xlwings_udfs (the UDF wrappers that xlwings' "Import
' Functions" writes, which call XLPy.CallUDF) compile without that reference too.
Option Explicit

Private Const ADDIN_FILE As String = "xlwings.xlam"
Private Const PY_MODULE As String = "xlclient.macros"

' "The xlwings add-in (xlwings.xlam) is not loaded, so the buttons cannot run."
Private Const MSG_NO_ADDIN As String = "\u6CA1\u6709\u627E\u5230 xlwings \u52A0\u8F7D\u9879\uFF08xlwings.xlam\uFF09\uFF0C\u6309\u94AE\u65E0\u6CD5\u8FD0\u884C\u3002"
' "On a computer with Python run: xlwings addin install (on a Mac also: xlwings runpython install), then restart Excel."
Private Const MSG_NO_ADDIN_HELP As String = "\u8BF7\u5728\u5DF2\u5B89\u88C5 Python \u7684\u7535\u8111\u4E0A\u8FD0\u884C xlwings addin install\uFF08Mac \u53E6\u9700 xlwings runpython install\uFF09\uFF0C\u7136\u540E\u91CD\u542F Excel\u3002"
' "xlclient functions calculate only in Excel for Windows with Python; on a Mac click the Refresh button."
Private Const MSG_MAC_UDF As String = "xlclient \u51FD\u6570\u53EA\u80FD\u5728\u88C5\u6709 Python \u7684 Windows \u7248 Excel \u4E2D\u8BA1\u7B97\uFF1B\u5728 Mac \u4E0A\u8BF7\u70B9\u300C\u5237\u65B0\u5206\u7EA7\u300D\u6309\u94AE\u3002"
' "Name of the departing AE (leaving or moving):"
Private Const MSG_ASK_LEAVING As String = "\u8981\u4EA4\u63A5\u7684\u5BA2\u6237\u7ECF\u7406\uFF08\u79BB\u804C\u6216\u8C03\u5C97\uFF09\u59D3\u540D\uFF1A"
' "AEs who take over, separated by commas (blank = all other AEs):"
Private Const MSG_ASK_TAKERS As String = "\u63A5\u624B\u7684\u5BA2\u6237\u7ECF\u7406\uFF0C\u591A\u4EBA\u7528\u9017\u53F7\u5206\u9694\uFF08\u7559\u7A7A = \u5176\u4ED6\u6240\u6709\u5BA2\u6237\u7ECF\u7406\uFF09\uFF1A"
' "Reassign clients"
Private Const MSG_REASSIGN_TITLE As String = "\u4EA4\u63A5\u5BA2\u6237"
' "Could not run Python through xlwings: "
Private Const MSG_RUN_FAILED As String = "\u65E0\u6CD5\u901A\u8FC7 xlwings \u8FD0\u884C Python\uFF1A"

' ---------------------------------------------------------------- buttons

Public Sub XlClientRefresh()
    RunXlClient "refresh"
End Sub

Public Sub XlClientVisitPlan()
    RunXlClient "plan"
End Sub

Public Sub XlClientReview()
    RunXlClient "review"
End Sub

Public Sub XlClientDashboard()
    RunXlClient "dashboard"
End Sub

Public Sub XlClientValues()
    ' Formulas of xlclient's functions become their values, before the workbook is shared.
    RunXlClient "values"
End Sub

Public Sub XlClientDoctor()
    ' What xlclient needs on this PC and in this workbook, written to the doctor sheet.
    RunXlClient "doctor"
End Sub

Public Sub XlClientReassign()
    Dim leaving As String, takers As String
    leaving = Trim$(InputBox(U(MSG_ASK_LEAVING) & vbLf & "Departing AE:", U(MSG_REASSIGN_TITLE)))
    If Len(leaving) = 0 Then Exit Sub
    takers = Trim$(InputBox(U(MSG_ASK_TAKERS) & vbLf & "AEs who take over (blank = all others):", _
                            U(MSG_REASSIGN_TITLE)))
    RunXlClient "reassign", PyStr(leaving) & ", " & PyStr(takers)
End Sub

' ---------------------------------------------------------------- plumbing

Private Sub RunXlClient(ByVal job As String, Optional ByVal args As String = "")
    Dim pyCode As String
    pyCode = "import " & PY_MODULE & "; " & PY_MODULE & "." & job & "(" & args & ")"
    If Not AddinLoaded() Then
        MsgBox U(MSG_NO_ADDIN) & vbLf & U(MSG_NO_ADDIN_HELP) & vbLf & vbLf & _
               "The xlwings add-in (xlwings.xlam) is not loaded. On a computer with Python run " & _
               "'xlwings addin install' (Mac: also 'xlwings runpython install') and restart Excel.", _
               vbExclamation, "xlclient"
        Exit Sub
    End If
    On Error GoTo Failed
    Application.Run "'" & ADDIN_FILE & "'!RunPython", pyCode
    Exit Sub
Failed:
    MsgBox U(MSG_RUN_FAILED) & Err.Description & vbLf & "Could not run Python through xlwings.", _
           vbCritical, "xlclient"
End Sub

Private Function AddinLoaded() As Boolean
    ' An add-in is not listed when Workbooks is enumerated, but can be fetched by its name.
    Dim wb As Object
    On Error Resume Next
    Set wb = Application.Workbooks(ADDIN_FILE)
    On Error GoTo 0
    AddinLoaded = Not (wb Is Nothing)
End Function

Public Function XLPy()
    ' Stands in for the add-in's XLPy for the UDF wrappers in module xlwings_udfs.
    #If Mac Then
        Err.Raise vbObjectError + 1001, "xlclient", U(MSG_MAC_UDF)
    #Else
        If Not AddinLoaded() Then
            Err.Raise vbObjectError + 1000, "xlclient", U(MSG_NO_ADDIN) & " " & U(MSG_NO_ADDIN_HELP)
        End If
        Set XLPy = Application.Run("'" & ADDIN_FILE & "'!XLPy")
    #End If
End Function

Private Function PyStr(ByVal s As String) As String
    ' s as a Python string literal in plain ASCII: letters, digits, space, "." "_" "-" as they
    ' are, every other character as \uXXXX (safe inside RunPython's command line and AppleScript).
    Dim i As Long, code As Long, ch As String, out As String
    out = "'"
    For i = 1 To Len(s)
        ch = Mid$(s, i, 1)
        code = AscW(ch) And &HFFFF&
        If (code >= 48 And code <= 57) Or (code >= 65 And code <= 90) Or (code >= 97 And code <= 122) _
           Or code = 32 Or code = 46 Or code = 95 Or code = 45 Then
            out = out & ch
        Else
            out = out & "\u" & Right$("000" & Hex$(code), 4)
        End If
    Next i
    PyStr = out & "'"
End Function

Private Function U(ByVal s As String) As String
    ' Decodes \uXXXX escapes (4 hex digits) into characters.
    Dim i As Long, out As String
    i = 1
    Do While i <= Len(s)
        If Mid$(s, i, 2) = "\u" And i + 5 <= Len(s) Then
            out = out & ChrW(HexValue(Mid$(s, i + 2, 4)))
            i = i + 6
        Else
            out = out & Mid$(s, i, 1)
            i = i + 1
        End If
    Loop
    U = out
End Function

Private Function HexValue(ByVal h As String) As Long
    Dim k As Long
    For k = 1 To Len(h)
        HexValue = HexValue * 16 + InStr(1, "0123456789ABCDEF", UCase$(Mid$(h, k, 1))) - 1
    Next k
End Function
