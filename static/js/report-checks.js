// 体检 in the editor: run the checks on the text being typed (POST, nothing saved) on a click and a few
// seconds after typing stops, list the findings, show their count on the submit button, and select
// each finding's text in its box.
//
// Page contract (templates/reports/editor.html): #check-panel[data-check-url], #check-button,
// #check-status, #check-findings (li.check-finding[data-section][data-start][data-end]),
// #submit-check-count (#check-count), form#editor-form with fields named like the model fields.
(function () {
  "use strict";

  var panel = document.getElementById("check-panel");
  var form = document.getElementById("editor-form");
  if (!panel || !form) return;
  var button = document.getElementById("check-button");
  var statusEl = document.getElementById("check-status");
  var list = document.getElementById("check-findings");
  var countBadge = document.getElementById("submit-check-count");
  var countEl = document.getElementById("check-count");
  var serverData = JSON.parse(document.getElementById("report-server-data").textContent);
  var FIELDS = Object.keys(serverData.fields);

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function values() {
    var result = {};
    FIELDS.forEach(function (name) {
      var el = form.elements.namedItem(name);
      result[name] = el ? el.value : "";
    });
    return result;
  }

  // The server counts code points; a textarea counts UTF-16 units (characters outside the BMP are two).
  function utf16Offset(text, codePoints) {
    var units = 0;
    var seen = 0;
    for (var i = 0; i < text.length && seen < codePoints; i++) {
      var code = text.charCodeAt(i);
      units++;
      if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) { units++; i++; }
      seen++;
    }
    return units;
  }

  function locate(item) {
    var el = form.elements.namedItem(item.dataset.section);
    if (!el) return;
    if (item.dataset.section === "preamble") document.getElementById("preamble-box").open = true;
    el.scrollIntoView({ behavior: "smooth", block: "center" });
    el.focus();
    if (el.tagName === "TEXTAREA") {
      var start = utf16Offset(el.value, Number(item.dataset.start));
      var end = utf16Offset(el.value, Number(item.dataset.end));
      el.setSelectionRange(start, end === start ? el.value.length : end);
    }
  }

  list.addEventListener("click", function (event) {
    var target = event.target.closest(".check-locate");
    if (target) locate(target.closest(".check-finding"));
  });

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function render(data) {
    list.textContent = "";
    if (!data.findings.length) {
      var none = element("li", "text-success small", "未发现问题。");
      none.id = "check-none";
      list.appendChild(none);
    }
    data.findings.forEach(function (finding) {
      var blocking = finding.severity === "blocking";
      var item = element("li", "check-finding border-start border-3 ps-2 mb-2 " + (blocking ? "border-danger" : "border-warning"));
      item.dataset.kind = finding.kind;
      item.dataset.section = finding.section;
      item.dataset.start = finding.start;
      item.dataset.end = finding.end;
      var head = element("div", "small");
      head.appendChild(element("span", "badge " + (blocking ? "text-bg-danger" : "text-bg-warning"), finding.kind_label + (blocking ? " · 须解决" : "")));
      head.appendChild(document.createTextNode(" "));
      head.appendChild(element("span", "text-muted", finding.section_label));
      item.appendChild(head);
      item.appendChild(element("div", "check-message", finding.message));
      if (finding.excerpt) item.appendChild(element("div", "small text-muted check-excerpt", "“" + finding.excerpt + "”"));
      item.appendChild(element("div", "small check-suggestion", finding.suggestion));
      var link = element("button", "btn btn-link btn-sm p-0 check-locate", "定位到原文");
      link.type = "button";
      item.appendChild(link);
      list.appendChild(item);
    });
    countEl.textContent = String(data.count);
    countBadge.classList.toggle("d-none", !data.count);
    statusEl.textContent = data.blocking ? "其中 " + data.blocking + " 项须解决后才能提交" : (data.count ? "共 " + data.count + " 项，供您参考" : "");
  }

  var AUTO_DELAY_MS = 4000; // after typing stops: the count on the submit button follows the text
  var timer = null;
  var sequence = 0; // only the latest answer is shown

  function run() {
    window.clearTimeout(timer);
    var mine = ++sequence;
    button.disabled = true;
    statusEl.textContent = "正在体检…";
    var saved = window.shupingEditor ? window.shupingEditor.flush() : Promise.resolve(true);
    saved.then(function () { return send(mine); });
  }

  function send(mine) {
    if (mine !== sequence) return null; // a newer check is on its way
    return fetch(panel.dataset.checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      body: JSON.stringify({ fields: values() }),
    }).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!isJson) throw new Error("login");
      return response.json().then(function (data) {
        if (mine !== sequence) return;
        if (response.status !== 200) {
          statusEl.textContent = data.message || "关键数据格式不正确，请按提示修改后再体检。";
          return;
        }
        render(data);
      });
    }).catch(function () {
      if (mine === sequence) statusEl.textContent = "未能体检：无法连接服务器或登录已过期，请稍后重试。";
    }).then(function () { if (mine === sequence) button.disabled = false; });
  }

  button.addEventListener("click", run);
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, AUTO_DELAY_MS);
  });
})();
