// The big screen: polls the small state JSON every second and shows what the host chose.
// The countdown ticks locally between polls from the remaining seconds the server sent.
(function () {
  "use strict";
  var body = document.body;
  var url = body.dataset.stateUrl;
  var views = ["welcome", "checkin", "speech", "voting", "results"];
  var speaker = null, received = 0, lastTallies = null;
  function $(id) { return document.getElementById(id); }
  function format(seconds) {
    var over = seconds < 0;
    seconds = Math.abs(seconds);
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (over ? "超时 " : "") + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var el = $("countdown");
    if (!speaker) { el.textContent = "--:--"; return; }
    if (speaker.in_writing) {
      el.textContent = "书面述职";
      el.classList.remove("last-minute", "overtime");
      return;
    }
    var remaining = speaker.remaining - (speaker.running ? Math.floor((Date.now() - received) / 1000) : 0);
    el.textContent = format(remaining);
    el.classList.toggle("last-minute", remaining <= 60 && remaining >= 0);
    el.classList.toggle("overtime", remaining < 0);
  }
  function show(state) {
    views.forEach(function (name) { $("view-" + name).hidden = name !== state.screen; });
    $("screen-rehearsal").hidden = !state.rehearsal;
    speaker = state.speaker && !state.speaker.ended ? state.speaker : null;
    received = Date.now();
    if (state.speaker) {
      $("speaker-order").textContent = "第 " + state.speaker.order + " 位" + (state.speaker.in_writing ? " · 书面述职" : "");
      $("speaker-unit").textContent = state.speaker.organization;
      $("speaker-name").textContent = state.speaker.secretary ? "书记 " + state.speaker.secretary : "";
    } else {
      $("speaker-order").textContent = "";
      $("speaker-unit").textContent = "即将开始";
      $("speaker-name").textContent = "";
    }
    $("next-speaker").textContent = state.next ? "下一位：" + state.next.organization + (state.next.secretary ? " " + state.next.secretary : "") : "";
    if (state.turnout) {
      document.querySelectorAll("[data-turnout]").forEach(function (el) { el.textContent = state.turnout[el.dataset.turnout]; });
    }
    var votingOn = $("voting-on");
    votingOn.hidden = !state.voting_on;
    votingOn.textContent = state.voting_on ? "正在对 " + state.voting_on + " 测评" : "";
    // Server-rendered, escaped HTML of the tallies (nothing from the client goes into it).
    if (state.tallies_html !== lastTallies) {
      $("results").innerHTML = state.tallies_html || '<p class="waiting">测评结果稍后公布</p>';
      lastTallies = state.tallies_html;
    }
    tick();
  }
  function poll() {
    fetch(url, { cache: "no-store", credentials: "omit" })
      .then(function (response) {
        if (response.status === 404) { $("screen-offline").textContent = "大屏链接已失效，请向主持人索取新链接。"; $("screen-offline").hidden = false; return null; }
        return response.json();
      })
      .then(function (state) {
        // The check-in link was rotated: reload for the new QR code (the old one no longer works).
        if (state && state.checkin && state.checkin !== body.dataset.checkin) { window.location.reload(); return; }
        if (state) { $("screen-offline").hidden = true; show(state); } })
      .catch(function () { $("screen-offline").hidden = false; })
      .finally(function () { setTimeout(poll, 1000); });
  }
  setInterval(tick, 250);
  poll();
})();
