#!/bin/sh
# 双击（或在终端中运行）本文件启动 dutymatrix 网页版，并在浏览器中打开。关闭窗口或按 Ctrl-C 即停止。
cd "$(dirname "$0")/.." || exit 1
if command -v dutymatrix >/dev/null 2>&1; then
  exec dutymatrix serve --open
fi
exec python3 -m matrix serve --open
