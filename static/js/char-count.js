// Live character counts: <span class="char-count" data-for="TEXTAREA_ID" data-max="N">
//   <span class="char-count-value">0</span> / N 字</span>. Red when over the maximum.
(function () {
  "use strict";

  function update(counter, textarea) {
    var max = parseInt(counter.dataset.max, 10);
    var length = textarea.value.length;
    var over = !isNaN(max) && length > max;
    counter.querySelector(".char-count-value").textContent = String(length);
    counter.classList.toggle("text-danger", over);
    counter.classList.toggle("fw-bold", over);
    counter.classList.toggle("text-muted", !over);
    counter.title = over ? "超出 " + (length - max) + " 字" : "";
  }

  function refreshAll() {
    document.querySelectorAll(".char-count[data-for]").forEach(function (counter) {
      var textarea = document.getElementById(counter.dataset.for);
      if (textarea) update(counter, textarea);
    });
  }

  document.querySelectorAll(".char-count[data-for]").forEach(function (counter) {
    var textarea = document.getElementById(counter.dataset.for);
    if (!textarea) return;
    textarea.addEventListener("input", function () { update(counter, textarea); });
    update(counter, textarea);
  });

  // The editor sets textarea values from code (restore, conflict resolution): it calls this.
  window.shupingCharCount = { refreshAll: refreshAll };
})();
