// The console's countdown: limit and elapsed come from the page; it ticks locally while running.
(function () {
  "use strict";
  var timer = document.getElementById("timer");
  if (!timer) return;
  var limit = Number(timer.dataset.limit) * 60;
  var elapsed = Number(timer.dataset.elapsed);
  var running = timer.dataset.running === "1";
  var loaded = Date.now();
  function format(seconds) {
    var sign = seconds < 0 ? "超时 " : "";
    seconds = Math.abs(seconds);
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return sign + m + ":" + (s < 10 ? "0" : "") + s;
  }
  function tick() {
    var spent = elapsed + (running ? Math.floor((Date.now() - loaded) / 1000) : 0);
    var remaining = limit - spent;
    timer.textContent = format(remaining) + (running ? "" : "（已暂停）");
    timer.classList.toggle("text-danger", remaining <= 60);
    timer.classList.toggle("fw-bold", remaining <= 60);
  }
  tick();
  setInterval(tick, 500);
})();
