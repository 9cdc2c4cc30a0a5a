// The job page (templates/jobs/job.html): polls the job's small JSON status until it finishes,
// moving the bar and then offering the file (or the error).
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root || root.dataset.finished === "1") return;
  var bar = document.getElementById("job-bar");
  var fill = bar.querySelector(".progress-bar");
  var delay = 1000;

  function show(state) {
    fill.style.width = state.percent + "%";
    bar.setAttribute("aria-valuenow", state.percent);
    document.getElementById("job-status").textContent = state.status_label;
    document.getElementById("job-count").textContent = state.total ? "：" + state.done + " / " + state.total : "";
    var notice = document.getElementById("job-notice");
    notice.textContent = state.notice;
    notice.classList.toggle("d-none", !state.notice);
    if (!state.finished) return;
    if (state.result_url) {
      var result = document.getElementById("job-result");
      result.href = state.result_url;
      result.classList.remove("d-none");
    }
    fill.classList.remove("progress-bar-striped", "progress-bar-animated");
    if (state.status === "failed") {
      fill.classList.add("bg-danger");
      var error = document.getElementById("job-error");
      error.textContent = state.error;
      error.classList.remove("d-none");
    } else {
      fill.classList.add("bg-success");
      document.getElementById("job-outcome").textContent = state.outcome;
      if (state.download_url) {
        var link = document.getElementById("job-download");
        link.href = state.download_url;
        document.getElementById("job-filename").textContent = state.filename;
        link.classList.remove("d-none");
      }
      document.getElementById("job-done").classList.remove("d-none");
    }
  }

  function poll() {
    fetch(root.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (state) {
        show(state);
        delay = 1000;
        if (!state.finished) setTimeout(poll, delay);
      })
      .catch(function () {
        // The server restarting or the network gone for a moment: keep trying, less often.
        delay = Math.min(delay * 2, 15000);
        setTimeout(poll, delay);
      });
  }
  setTimeout(poll, delay);
})();
