"""The office's Chinese on every page (each view, each error page, each state of the forms),
the packages of the page imported by `serve` only, favicon and titles, the double-click scripts
of desktop/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("starlette", reason="starlette is not installed")
pytest.importorskip("httpx", reason="httpx (Starlette's TestClient) is not installed")

from tests.conftest import NEWS, SEED_001  # noqa: E402
from tests.test_web import client, compare, seed_upload, token_of, upload  # noqa: E402,F401
from tests.web_support import edited_001, foreign_words, plan_with_leaders  # noqa: E402

# ── the office's Chinese on every page ──────────────────────────────────────────────────────


def every_page(client, tmp_path) -> dict[str, object]:
    """Every view, every error page and every state of the forms: name → response."""
    from tests.test_collect import fill
    from matrix.round.dispatch import dispatch
    from matrix.load.pipeline import parse_file

    seed = (SEED_001.name, SEED_001.read_bytes(), "text/plain")
    token = token_of(seed_upload(client))
    leaders = client.app.state.store.put(plan_with_leaders())
    plan = f"/plan/{token}"
    pages = {name: client.get(path) for name, path in {
        "upload": "/", "compare": "/compare", "summary form": "/summary",
        "matrix": plan, "department": f"{plan}?dept=国家卫健委",
        "unknown department": f"{plan}?dept=省科技厅",
        "department with suggestions": f"{plan}?dept=国家卫建委",
        "department without tasks": f"{plan}?dept=审计署",
        "task": f"{plan}/task/1", "task part": f"{plan}/task/1?part=1",
        "downloads": f"{plan}/downloads", "dispatch": f"{plan}/dispatch",
        "dispatch with leaders": f"/plan/{leaders}/dispatch",
        "dispatch bad date": f"{plan}/dispatch/zip?kinds=department&due=明天",
        "dispatch no kind": f"{plan}/dispatch/zip?round=R",
        "dispatch no leaders": f"{plan}/dispatch/zip?kinds=leader",
        "not found": "/nowhere", "unknown plan": "/plan/nothing",
        "unknown task": f"{plan}/task/999",
    }.items()}
    pages["batch"] = upload(client, seed, (NEWS[0].name, NEWS[0].read_bytes(), "text/plain"),
                            ("scan.pdf", b"%PDF-1.7 ...", "application/pdf"))
    pages["no clauses"] = upload(client, (NEWS[0].name, NEWS[0].read_bytes(), "text/plain"))
    pages["broken pdf"] = upload(client, ("scan.pdf", b"%PDF-1.7 ...", "application/pdf"))
    pages["empty file"] = upload(client, ("empty.txt", b"", "text/plain"))
    pages["nothing uploaded"] = client.post("/upload", data={"text": " "})
    pages["method"] = client.post("/", data={})
    pages["other site"] = client.post("/upload", files=[("files", seed)],
                                      headers={"origin": "http://evil.example"})
    pages["other host"] = client.get("/", headers={"host": "evil.example"})
    pages["too many files"] = client.post("/upload", files=[("files", (f"{n}.txt", b"x",
                                                                       "text/plain"))
                                                            for n in range(60)])
    pages["diff"] = compare(client, seed, ("新版.txt", edited_001().encode("utf-8"), "text/plain"))
    pages["diff one department"] = compare(client, seed, ("新版.txt", edited_001().encode(),
                                                          "text/plain"), dept="财政部")
    pages["compare one file"] = client.post("/compare", files=[("old", seed)])
    forms = dispatch(parse_file(SEED_001), tmp_path / "下发", round="第一轮").files
    fill(forms["市场监管总局"], tmp_path / "回.xlsx")
    returns = [("returns", ("回.xlsx", (tmp_path / "回.xlsx").read_bytes(), "application/x")),
               ("returns", ("坏.xlsx", b"PK\x03\x04", "application/x")), ("plan", seed)]
    pages["summary"] = client.post("/summary", files=returns, data={"as_of": "2026-12-21"})
    summary = str(pages["summary"].url)
    pages["summary one department"] = client.get(summary, params={"dept": "市场监管总局"})
    pages["summary no match"] = client.get(summary, params={"status": "没有"})
    pages["summary bad date"] = client.post("/summary", files=returns, data={"as_of": "昨天"})
    pages["summary without returns"] = client.post("/summary", files=[("plan", seed)])
    other = dispatch(parse_file(SEED_001), tmp_path / "另一轮", round="另一轮").files
    pages["summary refused"] = client.post("/summary", files=[
        ("plan", (NEWS[0].name, SEED_001.read_bytes().replace("食品".encode(), "食物".encode()),
                  "text/plain")),
        ("returns", ("别的.xlsx", other["市场监管总局"].read_bytes(), "application/x"))])
    pages.update(round_pages(client, tmp_path))
    return pages


def round_pages(client, tmp_path) -> dict[str, object]:
    """The 汇总 of a real round in every state the library gives: lights (已完成 临期 逾期),
    迟报, 未填日期, 未报送, 连续逾期 against the previous 汇总, the 临期 filter, the 催办 form
    and its refusals (tests/test_round.py's dated seed 001)."""
    import openpyxl

    from matrix.load.pipeline import parse_text
    from tests.test_round import AS_OF, ROUND, dated_seed, run_round

    _, folder, summary = run_round(parse_text(dated_seed(), "001-dated.txt"), tmp_path / "round",
                                   as_of=AS_OF)
    book = openpyxl.load_workbook(folder / "财政部.xlsx")
    book["报送表"]["K3"] = None  # 未填日期
    book.save(folder / "财政部.xlsx")
    files = [("returns", (p.name, p.read_bytes(), "application/x")) for p in sorted(folder.iterdir())]
    files.append(("plan", ("001-dated.txt", dated_seed().encode("utf-8"), "text/plain")))
    later = AS_OF.replace(day=AS_OF.day + 1).isoformat()
    pages = {"round summary": client.post("/summary", files=files, data={
        "as_of": AS_OF.isoformat(), "round": ROUND, "warn_days": "7"})}
    address = str(pages["round summary"].url)
    pages["round summary 临期"] = client.get(address, params={"status": "临期"})
    pages["round summary 逾期"] = client.get(address, params={"status": "逾期"})
    pages["round summary since"] = client.post("/summary", data={"as_of": later}, files=[
        *files, ("previous", ("汇总.xlsx", summary.read_bytes(), "application/x"))])
    pages["round summary other round"] = client.post("/summary", files=files, data={
        "round": "另一轮"})
    pages["round summary bad warn days"] = client.post("/summary", files=files,
                                                       data={"warn_days": "七"})
    pages["round summary long round"] = client.post("/summary", files=files,
                                                    data={"round": "轮" * 61})
    pages["round summary two previous"] = client.post("/summary", files=[
        *files, *[("previous", (f"{n}.xlsx", summary.read_bytes(), "application/x"))
                  for n in (1, 2)]])
    pages["round summary bad previous"] = client.post("/summary", files=[
        *files, ("previous", ("不是汇总.xlsx", files[0][1][1], "application/x"))])
    pages["round summary previous of another plan"] = client.post("/summary", files=[
        *files[:-1], ("plan", (SEED_001.name, SEED_001.read_bytes(), "text/plain")),
        ("previous", ("汇总.xlsx", summary.read_bytes(), "application/x"))])
    assert "属于另一份方案" in pages["round summary previous of another plan"].text
    pages["remind bad reply day"] = client.get(address.rstrip("/") + "/remind",
                                               params={"reply_by": "下周"})
    assert "迟报：" in pages["round summary"].text and "未填报送日期" in pages["round summary"].text
    assert "连续 2 轮" in pages["round summary since"].text
    return pages


def test_every_page_speaks_the_office_chinese(client, tmp_path):
    theirs = "\n".join(p.read_text(encoding="utf-8") for p in (SEED_001, NEWS[0]))
    pages = every_page(client, tmp_path)
    assert pages["unknown department"].status_code == 200
    assert pages["too many files"].status_code == 400
    foreign = {name: foreign_words(page.text, theirs) for name, page in pages.items()}
    assert {name: words for name, words in foreign.items() if words} == {}
    for name, page in pages.items():
        assert not re.search(r"\b[0-9a-f]{12,}\b", page.text.split("<main>")[-1]), name  # a hash


def test_the_word_checker_finds_developer_words():
    assert foreign_words("<p>第 31 行 no-trailer 一、总体要求</p>") == ["no", "trailer"]
    assert foreign_words('<input placeholder="dutymatrix collect">') == ["collect"]
    assert foreign_words("<p>方案.txt 2026-12-21 共 64 MB，dutymatrix 0.1</p>") == []
    assert foreign_words("<p>含 5G 基站</p>", "5G 基站") == []


def test_unknown_department_gets_up_to_three_suggestions(client):
    token = token_of(seed_upload(client))
    page = client.get(f"/plan/{token}", params={"dept": "国家卫建委"}).text
    notice = page.split('id="unknown-department"')[1].split("</p>")[0]
    assert re.findall(r">([^<>]+)</a>", notice) == ["国家卫生健康委", "国家卫生计生委", "国家民委"]
    province = client.get(f"/plan/{token}", params={"dept": "省科技厅"}).text
    notice = province.split('id="unknown-department"')[1].split("</p>")[0]
    assert 1 <= len(re.findall(r"</a>", notice)) <= 3 and "科技部" in notice


# ── installed by the first command, imported by `serve` only ────────────────────────────────

WEB_MODULES = ("starlette", "uvicorn", "jinja2", "multipart", "python_multipart")


@pytest.mark.parametrize("args", [["--help"], ["parse", str(SEED_001), "--format", "json"],
                                  ["build", str(SEED_001), "-o", "{tmp}/001.xlsx"]])
def test_other_commands_do_not_import_the_web_packages(args, tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom matrix.cli.commands import main\nsys.argv = ['dutymatrix', *sys.argv[1:]]\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            f"print('WEB', sorted(m for m in {WEB_MODULES!r} if m in sys.modules), "
            "file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", code, *(a.format(tmp=tmp_path) for a in args)],
                         capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert "WEB []" in out.stderr, out.stderr[-2000:]


def test_the_web_packages_are_base_dependencies():
    import tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml")
                            .read_text(encoding="utf-8"))["project"]
    base = {re.split(r"[<>=\[ ]", d)[0].lower() for d in project["dependencies"]}
    assert {"starlette", "uvicorn", "jinja2", "python-multipart"} <= base


def test_favicon_and_titles(client):
    assert client.get("/static/favicon.svg").headers["content-type"].startswith("image/svg")
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/").text
    token = token_of(seed_upload(client))
    for path in (f"/plan/{token}", f"/plan/{token}/task/1", f"/plan/{token}/downloads", "/"):
        title = re.search(r"<title>(.*?)</title>", client.get(path).text, re.S).group(1)
        assert title == " ".join(title.split()) and "  " not in title and "\n" not in title
        assert not title.startswith(" ") and title.endswith(" · 责任矩阵")
    from matrix.web.app import templates

    squash = templates().from_string("{% filter squash %} 扩大\n  供给 {% endfilter %}")
    assert squash.render() == "扩大 供给"  # a title as a source may break it: one line


# ── the double-click scripts (desktop/) ─────────────────────────────────────────────────────

DESKTOP = Path(__file__).resolve().parent.parent / "desktop"


def test_linux_script_starts_the_page_and_opens_the_browser(tmp_path):
    import os
    import subprocess

    stub = tmp_path / "bin" / "dutymatrix"  # the installed command, recording how it is called
    stub.parent.mkdir()
    stub.write_text(f"#!/bin/sh\necho \"$PWD|$*\" > {tmp_path}/called\n", encoding="utf-8")
    stub.chmod(0o755)
    script = DESKTOP / "dutymatrix-网页版.sh"
    assert os.access(script, os.X_OK)
    subprocess.run([str(script)], env={"PATH": f"{stub.parent}:/usr/bin:/bin"}, check=True,
                   cwd=tmp_path, timeout=30)
    where, args = (tmp_path / "called").read_text(encoding="utf-8").strip().split("|")
    assert args == "serve --open" and Path(where) == DESKTOP.parent


def test_linux_desktop_entry_and_windows_script_run_serve_open():
    import configparser

    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP / "dutymatrix-网页版.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Terminal"] == "true"
    assert "dutymatrix serve --open" in desktop["Exec"]
    bat = (DESKTOP / "dutymatrix-网页版.bat").read_bytes()
    assert bat.isascii() and b"\r\n" in bat and b"\n" not in bat.replace(b"\r\n", b"")
    assert b"dutymatrix serve --open" in bat and b"python -m matrix serve --open" in bat
    assert b'cd /d "%~dp0.."' in bat  # from the checkout, wherever it was double-clicked


def test_the_page_script_speaks_chinese_too():
    """What static/app.js writes into the page (progress, failures, the panel's button)."""
    script = (Path(__file__).resolve().parent.parent / "matrix" / "web" / "static" / "app.js")
    shown = re.findall(r'"[^"\n]*[\u4e00-\u9fff][^"\n]*"|`[^`\n]*[\u4e00-\u9fff][^`\n]*`',
                       script.read_text(encoding="utf-8"))
    assert len(shown) >= 5
    for text in shown:
        words = re.sub(r"\$\{[^}]*\}", " ", text)  # a value filled in: a number, a file name
        assert foreign_words(f"<p>{words}</p>") == [], text
