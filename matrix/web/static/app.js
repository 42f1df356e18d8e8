// dutymatrix page: drag and drop, chosen files listed, and an upload progress bar.
// A static file (the Content-Security-Policy allows no inline script); the forms work without it.
"use strict";

// With this script the drop zones list the chosen files themselves, so the browser's own file
// button (in the browser's language) is hidden: app.css, ".js label.drop".
document.documentElement.classList.add("js");

function listChosen(input, list) {
  list.textContent = "";
  for (const file of input.files) {
    const item = document.createElement("li");
    item.textContent = file.name + "（" + (file.size / 1024).toFixed(1) + " KB）";
    list.appendChild(item);
  }
}

function setUpDrop(drop) {
  // A drop zone (label.drop): its file input takes the files dropped on it; both list them.
  const input = drop.querySelector("input[type=file]");
  const list = drop.querySelector("ul.chosen");
  if (!input || !list) return;
  input.addEventListener("change", () => listChosen(input, list));
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    if (input.multiple) {
      input.files = event.dataTransfer.files;
    } else {  // one file only: the first
      const one = new DataTransfer();
      one.items.add(event.dataTransfer.files[0]);
      input.files = one.files;
    }
    listChosen(input, list);
  });
}

function showPage(html) {
  // An error page from the server: show its content here (its scripts do not run).
  const page = new DOMParser().parseFromString(html, "text/html");
  const main = page.querySelector("main");
  document.querySelector("main").replaceWith(document.adoptNode(main));
  document.title = page.title;
}

function send(form, data, bar, text, action) {
  // POST ``data`` to ``action`` (the form's own by default); resolves with the XMLHttpRequest
  // when it is answered.
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", action || form.action);
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && bar) bar(e.loaded / e.total);
    });
    request.upload.addEventListener("load", () => text("正在解析，请稍候…"));
    request.addEventListener("load", () => resolve(request));
    request.addEventListener("error", reject);
    request.send(data);
  });
}

// The 汇总 form sends a round's returns in parts of this many files (the server takes at most
// 50 files a request), then the plan and the options with the token of the returns sent.
const RETURNS_PER_PART = 20;

function returnsOf(form) {
  const input = form.querySelector("input[name=returns]");
  return input ? Array.from(input.files) : [];
}

async function sendReturns(form, progress, text) {
  // The returns part by part to /summary/returns, the bar counting the files read; then the
  // form without them. Resolves with the last request (an error page if a part was refused).
  const files = returnsOf(form);
  let batch = "new";
  for (let start = 0; start < files.length; start += RETURNS_PER_PART) {
    const part = files.slice(start, start + RETURNS_PER_PART);
    const data = new FormData();
    data.append("batch", batch);
    for (const file of part) data.append("returns", file);
    text(`正在读取填报表 第 ${start + 1}–${start + part.length} / ${files.length} 个`);
    const request = await send(form, data, (sent) => {
      progress.value = Math.round(((start + sent * part.length) / files.length) * 90);
    }, () => {}, form.dataset.returns);
    if (request.status >= 400) return request;
    batch = JSON.parse(request.responseText).batch;
  }
  const data = new FormData(form);
  data.delete("returns");
  data.append("returns_batch", batch);
  text("正在汇总，请稍候…");
  progress.value = 90;
  return send(form, data, null, () => {});
}

function setUpProgress(form) {
  const box = form.querySelector(".progress");
  const progress = box.querySelector("progress");
  const label = box.querySelector(".progress-text");
  const button = form.querySelector("button[type=submit]");
  const text = (words) => { label.textContent = words; };
  const answered = (request) => {
    if (request.status < 400 && request.responseURL) window.location.assign(request.responseURL);
    else showPage(request.responseText);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    box.hidden = false;
    button.disabled = true;
    // The upload form (data-progress="batch") sends its files one by one, the 汇总 form
    // (data-progress="summary") a round's returns in parts; the others, one request.
    const input = form.dataset.progress === "batch" ? form.querySelector("#files") : null;
    const pasted = form.querySelector("textarea");
    const files = input ? Array.from(input.files) : [];
    const parts = form.dataset.progress === "summary" && returnsOf(form).length > RETURNS_PER_PART;
    try {
      if (!parts && (files.length < 2 || (pasted && pasted.value.trim()))) {
        // One request: the bar shows the bytes sent, then the server reads.
        answered(await send(form, new FormData(form), (part) => {
          progress.value = Math.round(part * 100);
          text("正在上传… " + progress.value + "%");
        }, (words) => { progress.removeAttribute("value"); text(words); }));
        return;
      }
      if (parts) {
        answered(await sendReturns(form, progress, text));
        return;
      }
      // A batch: file by file, the bar counting the files read.
      let batch = "new";
      let url = null;
      for (const [n, file] of files.entries()) {
        const data = new FormData();
        data.append("files", file);
        data.append("batch", batch);
        text(`正在处理第 ${n + 1} / ${files.length} 个文件：${file.name}`);
        const request = await send(form, data, (part) => {
          progress.value = Math.round(((n + part) / files.length) * 100);
        }, () => {});
        if (request.status >= 400) { showPage(request.responseText); return; }
        const answer = JSON.parse(request.responseText);
        batch = answer.batch;
        url = answer.url;
        progress.value = Math.round(((n + 1) / files.length) * 100);
      }
      text("全部处理完毕");
      window.location.assign(url);
    } catch (error) {
      text("上传失败：无法连接服务器。");
      button.disabled = false;
    }
  });
}

function setUpTaskPanel() {
  // A click on a task shows its details beside the matrix (the link itself opens them as a page).
  const matrix = document.getElementById("matrix");
  const panel = document.getElementById("panel");
  if (!matrix || !panel) return;
  let open = null;
  const close = () => {
    panel.hidden = true;
    if (open) open.classList.remove("open");
    open = null;
  };
  matrix.addEventListener("click", async (event) => {
    const link = event.target.closest("a.task-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    const response = await fetch(link.href + "?part=1");
    if (!response.ok) { window.location.assign(link.href); return; }
    const part = new DOMParser().parseFromString(await response.text(), "text/html");
    const button = document.createElement("button");
    button.className = "close";
    button.type = "button";
    button.textContent = "关闭";
    button.addEventListener("click", close);
    panel.replaceChildren(button, ...Array.from(part.body.childNodes, (n) => document.adoptNode(n)));
    panel.hidden = false;
    if (open) open.classList.remove("open");
    open = link.closest("tr");
    open.classList.add("open");
  });
  document.addEventListener("keydown", (event) => { if (event.key === "Escape") close(); });
}

function setUpLongMatrix() {
  // A long plan: the page holds the first rows and the data of all of them; only the rows in
  // view (and some around them) are kept in the table, between two spacer rows of the height
  // of the rows left out. Rows are all one height (titles are cut to one line).
  const data = document.getElementById("rows-data");
  const scroller = document.querySelector(".scroller");
  if (!data || !scroller) return;
  const lines = JSON.parse(data.dataset.rows);
  data.remove();
  const body = document.querySelector("#matrix tbody");
  const rowHeight = body.getBoundingClientRect().height / body.rows.length;
  const columns = document.querySelectorAll("#matrix colgroup col").length;
  const spacer = () => {
    const row = document.createElement("tr");
    row.className = "spacer";
    const cell = document.createElement("td");
    cell.colSpan = columns;
    row.appendChild(cell);
    return row;
  };
  const above = spacer();
  const below = spacer();
  const where = new Map(); // task row id → its line
  lines.forEach((line, n) => {
    const id = /^<tr class="task" id="(t\d+)"/.exec(line);
    if (id) where.set(id[1], n);
  });
  const extra = 40;
  let shown = -1;
  const render = () => {
    const visible = Math.ceil(scroller.clientHeight / rowHeight);
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - extra);
    if (first === shown) return;
    shown = first;
    const last = Math.min(lines.length, first + visible + 2 * extra);
    body.innerHTML = lines.slice(first, last).join("");
    above.style.height = first * rowHeight + "px";
    below.style.height = (lines.length - last) * rowHeight + "px";
    body.prepend(above);
    body.append(below);
  };
  scroller.addEventListener("scroll", () => requestAnimationFrame(render), { passive: true });
  render();
  const partial = document.getElementById("partial");
  if (partial) partial.hidden = true;
  // Links to a row (the warnings) scroll to it, whether it is in the table or not.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#t']");
    if (!link || !where.has(link.hash.slice(1))) return;
    event.preventDefault();
    scroller.scrollTop = where.get(link.hash.slice(1)) * rowHeight;
    scroller.scrollIntoView();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const drop of document.querySelectorAll("label.drop")) setUpDrop(drop);
  setUpLongMatrix();
  setUpTaskPanel();
  for (const form of document.querySelectorAll("form[data-progress]")) setUpProgress(form);
});
