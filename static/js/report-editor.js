// The report editor: autosave, local safety copy, conflict resolution, flush before submit.
//
// Page contract (templates/reports/editor.html):
//   form#editor-form[data-autosave-url][data-storage-key]  fields named like the model fields
//   script#report-server-data (json_script): {revision, fields: {name: text}} as saved on the server
//   #autosave-status, #restore-banner (#restore-time, #restore-accept, #restore-discard),
//   #offline-alert (#offline-detail), #conflict-panel (#conflict-sections, #conflict-apply, #conflict-hint),
//   #errors-<field> for field errors, form[data-flush-before-submit] (submit and import forms).
(function () {
  "use strict";

  var form = document.getElementById("editor-form");
  var serverScript = document.getElementById("report-server-data");
  if (!form || !serverScript) return;

  var DELAY_MS = 2000;
  var KEEPALIVE_MAX_BYTES = 60000; // browsers refuse keepalive requests over 64 KB
  var server = JSON.parse(serverScript.textContent);
  var FIELDS = Object.keys(server.fields);
  var storageKey = form.dataset.storageKey;
  var autosaveUrl = form.dataset.autosaveUrl;
  var revisionInput = form.querySelector("input[name=base_revision]");

  var state = {
    baseRevision: server.revision,
    saved: copy(server.fields), // what the server holds as far as we know
    timer: null,
    queue: Promise.resolve(true),
    conflict: null, // {revision, server} while the conflict panel is open
    pendingRestore: null, // local copy offered by the restore banner
  };

  var statusEl = document.getElementById("autosave-status");
  var offlineEl = document.getElementById("offline-alert");
  var offlineDetail = document.getElementById("offline-detail");
  var restoreBanner = document.getElementById("restore-banner");
  var conflictPanel = document.getElementById("conflict-panel");
  var conflictSections = document.getElementById("conflict-sections");
  var conflictHint = document.getElementById("conflict-hint");

  function copy(obj) { return JSON.parse(JSON.stringify(obj)); }
  function element(name) { return form.elements.namedItem(name); }

  function values() {
    var result = {};
    FIELDS.forEach(function (name) {
      var el = element(name);
      result[name] = el ? el.value : "";
    });
    return result;
  }

  function setValues(fields) {
    FIELDS.forEach(function (name) {
      var el = element(name);
      if (el && Object.prototype.hasOwnProperty.call(fields, name)) el.value = fields[name];
    });
    if (fields.preamble) document.getElementById("preamble-box").open = true;
    if (window.shupingCharCount) window.shupingCharCount.refreshAll();
  }

  function differs(a, b) {
    return FIELDS.some(function (name) { return String(a[name] == null ? "" : a[name]) !== String(b[name] == null ? "" : b[name]); });
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.classList.toggle("text-danger", kind === "error");
    statusEl.classList.toggle("text-success", kind === "ok");
    statusEl.classList.toggle("text-muted", !kind);
  }

  function timeText(date) {
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
  }

  // --- the local copy ------------------------------------------------------------------

  function readLocal() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "null"); } catch (e) { return null; }
  }

  function writeLocal() {
    if (state.pendingRestore) return; // keep the copy the banner offers until the user decides
    try {
      window.localStorage.setItem(storageKey, JSON.stringify({
        fields: values(), baseRevision: state.baseRevision, savedAt: new Date().toISOString(),
      }));
    } catch (e) { /* storage full or disabled: the server copy is all we have */ }
  }

  function clearLocal() {
    if (state.pendingRestore) return; // the banner's copy goes only when the user says so
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  }

  function offerRestore() {
    var local = readLocal();
    if (!local || !local.fields) return;
    if (!differs(local.fields, server.fields)) { clearLocal(); return; }
    state.pendingRestore = local;
    var when = new Date(local.savedAt);
    document.getElementById("restore-time").textContent = isNaN(when) ? "时间未知" : when.toLocaleString("zh-CN", { hour12: false });
    restoreBanner.classList.remove("d-none");
  }

  document.getElementById("restore-accept").addEventListener("click", function () {
    var local = state.pendingRestore;
    state.pendingRestore = null;
    restoreBanner.classList.add("d-none");
    if (!local) return;
    setValues(local.fields);
    writeLocal();
    flush(); // saved on top of the current server revision: the user chose this text
  });

  document.getElementById("restore-discard").addEventListener("click", function () {
    state.pendingRestore = null;
    restoreBanner.classList.add("d-none");
    clearLocal();
    if (differs(values(), state.saved)) writeLocal(); // text typed meanwhile stays protected
  });

  // --- errors --------------------------------------------------------------------------

  function showErrors(errors) {
    document.querySelectorAll("#editor-form .field-errors").forEach(function (el) { el.textContent = ""; });
    Object.keys(errors || {}).forEach(function (name) {
      var box = document.getElementById("errors-" + name);
      var messages = [].concat(errors[name]).map(function (m) { return typeof m === "string" ? m : m.message; });
      if (box) {
        messages.forEach(function (message) {
          var line = document.createElement("div");
          line.textContent = message;
          box.appendChild(line);
        });
      } else {
        setStatus(messages.join(" "), "error");
      }
    });
  }

  function showOffline(detail) {
    writeLocal();
    offlineDetail.textContent = detail || "";
    offlineEl.classList.remove("d-none");
    setStatus("未能保存到服务器，内容已保存在本机浏览器", "error");
  }

  function showTooBig(message) {
    writeLocal(); // may not fit the browser's storage either; the text stays on the page regardless
    setStatus(message || "内容太大，超过了服务器的上限，未能保存。您输入的文字仍在页面上，请删减后再试。", "error");
  }

  // --- conflict ------------------------------------------------------------------------

  function showConflict(data, mine) {
    state.conflict = { revision: data.revision, server: data.server };
    conflictSections.textContent = "";
    conflictHint.textContent = "";
    FIELDS.forEach(function (name) {
      var theirs = String(data.server[name] == null ? "" : data.server[name]);
      var own = String(mine[name] == null ? "" : mine[name]);
      if (theirs === own) return;
      var label = document.querySelector("label[for='id_" + name + "']");
      var block = document.createElement("div");
      block.className = "conflict-section border rounded p-2 mb-3";
      block.dataset.field = name;
      var title = document.createElement("div");
      title.className = "fw-bold mb-2";
      title.textContent = label ? label.childNodes[0].textContent.trim() : name;
      block.appendChild(title);
      var row = document.createElement("div");
      row.className = "row g-2";
      [["server", "服务器上的内容（其他窗口保存的）", theirs], ["mine", "我的内容（本页面）", own]].forEach(function (option) {
        var col = document.createElement("div");
        col.className = "col-12 col-md-6";
        var id = "conflict-" + name + "-" + option[0];
        var check = document.createElement("div");
        check.className = "form-check";
        var radio = document.createElement("input");
        radio.type = "radio"; radio.className = "form-check-input"; radio.name = "conflict-" + name;
        radio.value = option[0]; radio.id = id;
        var radioLabel = document.createElement("label");
        radioLabel.className = "form-check-label small"; radioLabel.htmlFor = id; radioLabel.textContent = "保留" + option[1];
        check.appendChild(radio); check.appendChild(radioLabel);
        var text = document.createElement("textarea");
        text.className = "form-control form-control-sm"; text.rows = 6; text.readOnly = true;
        text.value = option[2];
        text.id = id + "-text";
        col.appendChild(check); col.appendChild(text);
        row.appendChild(col);
      });
      block.appendChild(row);
      conflictSections.appendChild(block);
    });
    conflictPanel.classList.remove("d-none");
    setStatus("与其他窗口的修改冲突，请在上方选择要保留的内容", "error");
    conflictPanel.scrollIntoView({ behavior: "smooth", block: "start" });
  }

  document.getElementById("conflict-apply").addEventListener("click", function () {
    var conflict = state.conflict;
    if (!conflict) return;
    var chosen = {};
    var missing = false;
    conflictSections.querySelectorAll(".conflict-section").forEach(function (block) {
      var name = block.dataset.field;
      var picked = block.querySelector("input[type=radio]:checked");
      if (!picked) { missing = true; return; }
      chosen[name] = picked.value === "server" ? conflict.server[name] : element(name).value;
    });
    if (missing) { conflictHint.textContent = "请为每一项选择要保留的内容。"; return; }
    state.conflict = null;
    state.baseRevision = conflict.revision;
    state.saved = copy(conflict.server);
    revisionInput.value = String(conflict.revision);
    setValues(chosen);
    conflictPanel.classList.add("d-none");
    writeLocal();
    flush(); // re-saves "mine" choices on the new base revision; nothing to do if all were "server"
  });

  // --- saving --------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]); // fresh after a re-login in another tab
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function saveNow(keepalive) {
    if (state.conflict) return Promise.resolve(false);
    var sent = values();
    if (!differs(sent, state.saved)) {
      clearLocal();
      return Promise.resolve(true);
    }
    setStatus("正在保存…");
    var body = JSON.stringify({ base_revision: state.baseRevision, fields: sent });
    var options = {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest", "Accept": "application/json" },
      body: body,
    };
    if (keepalive && body.length * 3 < KEEPALIVE_MAX_BYTES) options.keepalive = true;
    return fetch(autosaveUrl, options).then(function (response) {
      var isJson = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (response.status === 413) {
        // Over the server's size limit (Django's JSON answer, or a proxy's own page).
        return (isJson ? response.json() : Promise.resolve({})).then(function (data) { showTooBig(data.message); return false; });
      }
      if (!isJson || response.redirected) {
        showOffline(response.status === 403 || response.redirected ? "登录可能已过期。" : "");
        return false;
      }
      return response.json().then(function (data) { return handle(response.status, data, sent); });
    }, function () {
      showOffline("无法连接服务器。");
      return false;
    });
  }

  function handle(status, data, sent) {
    if (status === 200 && data.ok) {
      state.baseRevision = data.revision;
      state.saved = sent;
      server.fields = sent;
      revisionInput.value = String(data.revision);
      offlineEl.classList.add("d-none");
      showErrors({});
      setStatus("已保存 " + data.saved_at, "ok");
      if (!differs(values(), sent)) clearLocal(); // the server confirmed exactly this text
      return true;
    }
    if (status === 409 && data.error === "conflict") {
      if (!differs(values(), data.server)) {
        // Another tab (or our own request sent while leaving the page) saved this very text.
        state.baseRevision = data.revision;
        state.saved = copy(data.server);
        revisionInput.value = String(data.revision);
        clearLocal();
        setStatus("已保存 " + timeText(new Date()), "ok");
        return true;
      }
      writeLocal();
      showConflict(data, values());
      return false;
    }
    if (status === 400 && data.errors) {
      writeLocal();
      showErrors(data.errors);
      setStatus("未保存：请按提示修改（内容仍在页面上）", "error");
      return false;
    }
    writeLocal();
    setStatus(data.message || "未能保存", "error");
    return false;
  }

  // Saves run one after another, so a slow request never races a newer one.
  function flush(keepalive) {
    window.clearTimeout(state.timer);
    state.queue = state.queue.then(function () { return saveNow(keepalive); });
    return state.queue;
  }

  function schedule() {
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(flush, DELAY_MS);
  }

  form.addEventListener("input", function () {
    writeLocal(); // every keystroke: closing the tab loses nothing
    setStatus("有未保存的修改…");
    schedule();
  });
  form.addEventListener("focusout", function () { flush(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush(true);
  });

  // Saving the draft by button, submitting and importing first make sure the server has the latest text.
  document.querySelectorAll("form[data-flush-before-submit]").forEach(function (other) {
    other.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = other.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
      setStatus("正在保存…");
      flush().then(function (ok) {
        if (ok) {
          HTMLFormElement.prototype.submit.call(other);
          return;
        }
        if (button) { button.disabled = false; button.removeAttribute("aria-busy"); }
        setStatus("未能先保存最新内容，请按页面上方的提示处理后再试", "error");
      });
    });
  });

  // Back from the submit confirmation (the browser's page cache): the buttons work again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-flush-before-submit] button[type=submit]").forEach(function (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });

  // The PDF download renders what the server holds: save what is typed first.
  document.querySelectorAll("a[data-flush-before-follow]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      flush().then(function () { window.location.href = link.href; });
    });
  });

  // For the 体检 panel (report-checks.js): save what is typed first, so that a check and a save never
  // run at the same time and the findings are about the text the server holds.
  window.shupingEditor = { flush: function () { return flush(); } };

  offerRestore();
  // A form re-rendered after a failed save shows the user's unsaved text: protect it locally too.
  if (differs(values(), server.fields)) writeLocal();
})();
