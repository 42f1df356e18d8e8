// dutymatrix page: drag and drop, chosen files listed, and an upload progress bar.
// A static file (the Content-Security-Policy allows no inline script); the forms work without it.
"use strict";

function listChosen(input, list) {
  list.textContent = "";
  for (const file of input.files) {
    const item = document.createElement("li");
    item.textContent = file.name + "（" + (file.size / 1024).toFixed(1) + " KB）";
    list.appendChild(item);
  }
}

function setUpDrop() {
  const drop = document.getElementById("drop");
  const input = document.getElementById("files");
  const list = document.getElementById("chosen");
  if (!drop || !input) return;
  input.addEventListener("change", () => listChosen(input, list));
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (event) => { event.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files;
      listChosen(input, list);
    }
  });
}

function showPage(html) {
  // An error page from the server: show its content here (its scripts do not run).
  const page = new DOMParser().parseFromString(html, "text/html");
  const main = page.querySelector("main");
  document.querySelector("main").replaceWith(document.adoptNode(main));
  document.title = page.title;
}

function setUpProgress(form) {
  const box = form.querySelector(".progress");
  const bar = box.querySelector("progress");
  const text = box.querySelector(".progress-text");
  const button = form.querySelector("button[type=submit]");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    box.hidden = false;
    button.disabled = true;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((e.loaded / e.total) * 100);
        text.textContent = "正在上传… " + bar.value + "%";
      }
    });
    request.upload.addEventListener("load", () => {
      bar.removeAttribute("value"); // indeterminate while the server reads the files
      text.textContent = "正在解析，请稍候…";
    });
    request.addEventListener("load", () => {
      if (request.status < 400 && request.responseURL) {
        window.location.assign(request.responseURL);
      } else {
        showPage(request.responseText);
      }
    });
    request.addEventListener("error", () => {
      text.textContent = "上传失败：无法连接服务器。";
      button.disabled = false;
    });
    request.send(new FormData(form));
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

document.addEventListener("DOMContentLoaded", () => {
  setUpDrop();
  setUpTaskPanel();
  for (const form of document.querySelectorAll("form[data-progress]")) setUpProgress(form);
});
