"""``xlclient doctor``: what this PC has for xlclient, in a short report a user can send to
whoever supports them (issue 14).

Each check says ok, a problem (with what to do), or that it could not be checked here (and
why): Python and the package, the libraries xlclient needs, the xlwings add-in where Excel
looks for it, the user's xlwings.conf, Excel's trust setting for VBA (Windows registry), and,
given a workbook, that the file is sound, that its xlwings.conf sheet points at xlclient's
functions, that it carries the VBA buttons, and -- only with desktop Excel -- that a
function computes in it. Nothing is written to the workbook.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Check", "run_checks", "report_text"]

OK, PROBLEM, UNCHECKED = "ok", "problem", "cannot check"
_WORDS = {OK: ("正常", "ok"), PROBLEM: ("有问题", "PROBLEM"), UNCHECKED: ("无法检查", "cannot check here")}


@dataclass
class Check:
    name: str
    status: str  # ok | problem | cannot check
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.name, "status": self.status, "detail": self.detail}


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _addin_places() -> list[Path]:
    """Where Excel loads xlwings.xlam from at start (what ``xlwings addin install`` uses)."""
    if sys.platform == "win32":
        appdata = os.environ.get("APPDATA")
        return [Path(appdata) / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"] if appdata else []
    if sys.platform == "darwin":
        return [Path.home() / "Library" / "Group Containers" / "UBF8T346G9.Office" / "User Content.localized"
                / "Startup.localized" / "Excel" / "xlwings.xlam"]
    return []


def run_checks(workbook: Path | None, lang: str = "zh") -> list[Check]:
    from . import __version__

    out: list[Check] = []
    v = sys.version_info
    out.append(Check("Python", OK if v >= (3, 10) else PROBLEM,
                     f"{platform.python_version()} ({sys.executable})"
                     + ("" if v >= (3, 10) else _t(lang, "：需要 3.10 或更新", ": 3.10 or newer is needed"))))
    out.append(Check("xlclient", OK, f"{__version__} ({Path(__file__).resolve().parent})"))
    for module, needed in (("pandas", True), ("numpy", True), ("python_calamine", True), ("xlsxwriter", True),
                           ("scipy", True), ("holidays", True), ("chinese_calendar", False), ("xlwings", False)):
        try:
            mod = importlib.import_module(module)
            version = getattr(mod, "__version__", None)
            if version is None:
                from importlib.metadata import PackageNotFoundError, version as dist_version

                try:
                    version = dist_version({"python_calamine": "python-calamine",
                                            "chinese_calendar": "chinesecalendar"}.get(module, module))
                except PackageNotFoundError:
                    version = "?"
            out.append(Check(module, OK, str(version)))
        except Exception as e:  # noqa: BLE001 - any import failure is the finding
            what = _t(lang, f"无法导入（{type(e).__name__}）：pip install {module.replace('_', '-')}",
                      f"cannot be imported ({type(e).__name__}): pip install {module.replace('_', '-')}")
            if not needed and module == "xlwings":
                what += _t(lang, "（命令行不需要；Excel 中的按钮和函数需要）", " (not needed by the command line; "
                           "the buttons and functions in Excel need it)")
            out.append(Check(module, PROBLEM if needed or module == "xlwings" else UNCHECKED, what))

    places = _addin_places()
    if not places:
        out.append(Check("xlwings add-in", UNCHECKED, _t(lang, f"{platform.system()} 上没有桌面版 Excel",
                                                         f"no desktop Excel on {platform.system()}")))
    else:
        found = [p for p in places if p.exists()]
        out.append(Check("xlwings add-in", OK if found else PROBLEM,
                         str(found[0]) if found else _t(lang, f"未找到 {places[0]}：运行 xlwings addin install",
                                                        f"not found at {places[0]}: run `xlwings addin install`")))

    conf = Path.home() / ".xlwings" / "xlwings.conf"
    if conf.exists():
        lines = conf.read_text(encoding="utf-8", errors="replace").splitlines()
        # only the interpreter this platform's Excel uses (a Windows path does not exist on a Mac)
        mine = {"INTERPRETER"} | ({"INTERPRETER_WIN"} if sys.platform == "win32" else set()) \
            | ({"INTERPRETER_MAC"} if sys.platform == "darwin" else set())
        interp = [ln.split(",", 1)[1].strip().strip('"') for ln in lines
                  if "," in ln and ln.split(",", 1)[0].strip().strip('"').upper() in mine]
        bad = [p for p in interp if p and not Path(os.path.expandvars(p.replace("%USERPROFILE%", str(Path.home()))))
               .expanduser().exists()]
        out.append(Check("xlwings.conf", PROBLEM if bad else OK,
                         (_t(lang, "解释器路径不存在：", "interpreter path not found: ") + ", ".join(bad)) if bad
                         else str(conf)))
    else:
        out.append(Check("xlwings.conf", OK, _t(lang, "没有用户级设置（使用工作簿中的 xlwings.conf 表）",
                                                "no user settings (the workbook's xlwings.conf sheet is used)")))

    if sys.platform == "win32":
        out.append(_trust_check(lang))
    else:
        out.append(Check("Excel trust (VBA)", UNCHECKED, _t(lang, "只能在 Windows 上读取", "readable on Windows only")))

    if workbook is not None:
        out.extend(_workbook_checks(workbook, lang))
    return out


def _trust_check(lang: str) -> Check:
    """Trust Center > 'Trust access to the VBA project object model' (xlwings needs it for
    `xlwings code` only; the buttons do not), and whether macros may run at all."""
    try:
        import winreg  # type: ignore[import-not-found]

        values = {}
        for version in ("16.0", "15.0"):
            try:
                key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, rf"Software\Microsoft\Office\{version}\Excel\Security")
            except OSError:
                continue
            for name in ("VBAWarnings", "AccessVBOM"):
                try:
                    values[name] = winreg.QueryValueEx(key, name)[0]
                except OSError:
                    pass
            break
        if values.get("VBAWarnings") == 4:
            return Check("Excel trust (VBA)", PROBLEM, _t(lang, "宏被全部禁用：按钮不会运行（信任中心 › 宏设置）",
                                                          "all macros are disabled: the buttons will not run "
                                                          "(Trust Center > Macro Settings)"))
        return Check("Excel trust (VBA)", OK, str(values or _t(lang, "默认设置", "default settings")))
    except Exception as e:  # noqa: BLE001
        return Check("Excel trust (VBA)", UNCHECKED, f"{type(e).__name__}: {e}")


def _workbook_checks(path: Path, lang: str) -> list[Check]:
    from .xlsx.diagnose import diagnose
    from .xlsx.package import Package, list_sheets

    out: list[Check] = []
    if not path.exists():
        return [Check(path.name, PROBLEM, _t(lang, "找不到文件", "file not found"))]
    data = path.read_bytes()
    found = diagnose(data, path.name)
    if found.code != "ok":
        return [Check(path.name, PROBLEM, found.message(lang, path.name))]
    out.append(Check(path.name, OK, _t(lang, f"可以读取（{len(data):,} 字节）", f"readable ({len(data):,} bytes)")))
    names = [s.name for s in list_sheets(data)]
    if "xlwings.conf" in names:
        from .xlsx.reader import read_workbook

        grid = next(s for s in read_workbook(path).sheets if s.name == "xlwings.conf")
        conf = {str(r[0]).strip(): str(r[1]).strip() for r in grid.rows if len(r) > 1 and r[0]}
        modules = conf.get("UDF Modules", "")
        out.append(Check("xlwings.conf sheet", OK if "xlclient.udfs" in modules else PROBLEM,
                         f"UDF Modules = {modules or '-'}" + ("" if "xlclient.udfs" in modules else _t(
                             lang, "（应为 xlclient.udfs）", " (should be xlclient.udfs)"))))
    else:
        out.append(Check("xlwings.conf sheet", PROBLEM, _t(
            lang, "工作簿没有 xlwings.conf 表：函数找不到 xlclient（用模板，或复制模板中的这张表）",
            "the workbook has no xlwings.conf sheet: Excel's functions cannot find xlclient (use the template, or "
            "copy that sheet from it)")))
    pkg = Package(data)
    out.append(_hidden_names_check(pkg, names, lang))
    has_vba = any(p.lower().endswith("vbaproject.bin") for p in pkg.part_names())
    out.append(Check("VBA buttons", OK if has_vba else PROBLEM,
                     _t(lang, "有 VBA 工程（按钮）", "VBA project present (buttons)") if has_vba else
                     _t(lang, "没有 VBA 工程：按钮不可用（.xlsx 不能保存宏；用模板 .xlsm）",
                        "no VBA project: no buttons (an .xlsx cannot keep macros; use the .xlsm template)")))
    out.append(_excel_formula_check(path, lang))
    return out


def _hidden_names_check(pkg: Any, sheets: list[str], lang: str) -> Check:
    """The workbook names through which the functions' hidden arguments find Settings and
    Holidays (udf_support.sheet_expression): missing or broken, every formula cell would show
    a VBA error instead of a result."""
    from .udf_support import broken_hidden_names

    bad = [f"{name}（{target or '-'}）" if lang == "zh" else f"{name} ({target or '-'})"
           for name, target in broken_hidden_names(pkg.data, sheets).items()]
    if not bad:
        return Check("xlc_settings/holidays", OK, _t(lang, "函数可以读到设置表和节假日表",
                                                     "the functions can read the Settings and Holidays sheets"))
    return Check("xlc_settings/holidays", PROBLEM, _t(
        lang, f"名称缺失或失效：{'、'.join(bad)}；函数单元格会显示 VBA 错误。请在「公式→名称管理器」中让它们指向"
              f"设置表和节假日表的 A1，或运行 xlclient init 补上",
        f"names missing or broken: {', '.join(bad)}; formula cells would show a VBA error. In Formulas → Name "
        f"Manager point them at A1 of the Settings and Holidays sheets, or run xlclient init to add them"))


def _excel_formula_check(path: Path, lang: str) -> Check:
    """With desktop Excel and xlwings: open the workbook hidden, put =CLIENT_TIER(1,{1,2})
    in a cell of a new sheet, read what Excel computes, close without saving."""
    try:
        import xlwings as xw  # noqa: F401
    except Exception:  # noqa: BLE001
        return Check("CLIENT_TIER in Excel", UNCHECKED, _t(lang, "没有 xlwings", "xlwings is not installed"))
    if sys.platform not in ("win32", "darwin"):
        return Check("CLIENT_TIER in Excel", UNCHECKED, _t(lang, "这台电脑没有桌面版 Excel",
                                                           "no desktop Excel on this computer"))
    app: Any = None
    try:
        import xlwings as xw

        app = xw.App(visible=False, add_book=False)
        book = app.books.open(str(path), update_links=False)
        sheet = book.sheets.add()
        sheet.range("A1").formula = "=CLIENT_TIER(1,{1,2})"
        app.calculate()
        value = sheet.range("A1").value
        book.close()
        good = value in ("A", "B", "C", "D")
        return Check("CLIENT_TIER in Excel", OK if good else PROBLEM,
                     f"=CLIENT_TIER(1,{{1,2}}) -> {value!r}" + ("" if good else _t(
                         lang, "：函数没有算出结果（加载项、xlwings.conf、解释器路径）",
                         ": the function did not compute (add-in, xlwings.conf, interpreter path)")))
    except Exception as e:  # noqa: BLE001 - what Excel said is the finding
        return Check("CLIENT_TIER in Excel", PROBLEM, f"{type(e).__name__}: {e}")
    finally:
        if app is not None:
            try:
                app.quit()
            except Exception:  # noqa: BLE001
                pass


def report_text(checks: list[Check], lang: str = "zh") -> str:
    """The report: one line per check, then what could not be checked and why."""
    i = 0 if lang == "zh" else 1
    width = max(len(c.name) for c in checks)
    lines = [_t(lang, f"xlclient 自检（{platform.system()} {platform.release()}）",
                f"xlclient doctor ({platform.system()} {platform.release()})")]
    lines += [f"  {c.name:<{width}}  {_WORDS[c.status][i]:<6}  {c.detail}" for c in checks]
    problems = sum(c.status == PROBLEM for c in checks)
    unchecked = sum(c.status == UNCHECKED for c in checks)
    lines.append(_t(lang, f"问题 {problems} 项，无法在此检查 {unchecked} 项。按钮是否可用只能在 Excel 中按一次「刷新分级」确认"
                          "（运行日志表会多一行）。",
                    f"{problems} problem(s), {unchecked} not checkable here. Whether the buttons run can only be seen "
                    "in Excel: press 刷新分级 once (the Log sheet gets a line)."))
    return "\n".join(lines)


# --------------------------------------------------------------------------- in Excel (the 诊断 button)

#: The 诊断 sheet's header.
DOCTOR_HEADERS: dict[str, tuple[str, str, str]] = {"zh": ("检查", "结果", "说明"), "en": ("Check", "Result", "Detail")}


def excel_checks(book: Any, lang: str, formula_result: Any) -> list[Check]:
    """What only a run inside Excel shows: the button round trip (this run is one), the
    workbook's xlwings.conf sheet and the names the functions read their Settings by, and
    what ``=CLIENT_TIER(1,{1,2})`` computed in this workbook (``formula_result``)."""
    from .udf_support import HOLIDAYS_NAME, SETTINGS_NAME

    out = [Check(_t(lang, "按钮", "button"), OK, _t(lang, "按钮能调用 Python 并写回工作簿（本报告即由按钮写入）",
                                                  "a button reaches Python and writes back (this report was written "
                                                  "by one)"))]
    names = [s.name for s in book.sheets]
    out.append(Check("xlwings.conf sheet", OK if "xlwings.conf" in names else PROBLEM,
                     _t(lang, "有" if "xlwings.conf" in names else "缺少 xlwings.conf 表（复制模板中的这张表）",
                        "present" if "xlwings.conf" in names else "missing (copy it from the template)")))
    try:
        defined = {n.name.split("!")[-1]: str(n.refers_to) for n in book.names}
    except Exception as e:  # noqa: BLE001 -- a name Excel cannot describe
        defined = {"?": str(e)}
    bad = [n for n in (SETTINGS_NAME, HOLIDAYS_NAME) if n not in defined or "#REF!" in defined[n]]
    out.append(Check("xlc_settings/holidays", PROBLEM if bad else OK,
                     _t(lang, f"名称缺失或失效：{'、'.join(bad)}（在「公式→名称管理器」中指向设置表和节假日表的 A1）",
                        f"names missing or broken: {', '.join(bad)} (Formulas → Name Manager: A1 of Settings and "
                        f"Holidays)") if bad else _t(lang, "函数可以读到设置表和节假日表",
                                                      "the functions can read the Settings and Holidays sheets")))
    ok = isinstance(formula_result, str) and formula_result in ("A", "B", "C", "D")
    out.append(Check("CLIENT_TIER in Excel", OK if ok else PROBLEM,
                     _t(lang, f"=CLIENT_TIER(1,{{1,2}}) 算出 {formula_result}", f"=CLIENT_TIER(1,{{1,2}}) gives "
                        f"{formula_result}") if ok else
                     _t(lang, f"=CLIENT_TIER(1,{{1,2}}) 没有算出等级，而是 {formula_result!r}：在 xlwings 选项卡中"
                              "检查 UDF Modules 和解释器，或点「Restart UDF Server」",
                        f"=CLIENT_TIER(1,{{1,2}}) gave {formula_result!r}, not a tier: check UDF Modules and the "
                        "interpreter on the xlwings tab, or click Restart UDF Server")))
    return out


def report_rows(checks: list[Check], lang: str) -> list[list[Any]]:
    """The 诊断 sheet: the header, one row per check, then the summary line."""
    i = 0 if lang == "zh" else 1
    rows: list[list[Any]] = [list(DOCTOR_HEADERS[lang])]
    rows += [[c.name, _WORDS[c.status][i], c.detail] for c in checks]
    problems = sum(c.status == PROBLEM for c in checks)
    unchecked = sum(c.status == UNCHECKED for c in checks)
    rows.append([])
    rows.append([_t(lang, f"问题 {problems} 项，无法检查 {unchecked} 项。可把本表复制发给支持同事。",
                    f"{problems} problem(s), {unchecked} not checkable. Copy this sheet to whoever supports you.")])
    return rows


def report_sheet(name: str, rows: list[list[Any]]) -> Any:
    """The 诊断 sheet as xlclient writes it: problems in red, the details wrap, one landscape
    page wide."""
    from .jobs import RED, owned_columns
    from .xlsx.worksheet import SheetSpec

    return SheetSpec(name=name, rows=rows, column_widths={0: 24, 1: 12, 2: 90}, autofilter=False,
                     wrap_columns=frozenset({2}), owned_columns=owned_columns("doctor"), landscape=True,
                     highlights=[(1, (_WORDS[PROBLEM][0], _WORDS[PROBLEM][1]), *RED)])  # problems in red
