@echo off
rem Double-click: starts the dutymatrix web page and opens it in the browser.
rem Closing this window stops it. (README.zh-CN.md)
chcp 65001 >nul
cd /d "%~dp0.."
where dutymatrix >nul 2>nul
if %errorlevel%==0 (
  dutymatrix serve --open
) else (
  python -m matrix serve --open
)
if errorlevel 1 pause
