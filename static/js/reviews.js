// Review workflow pages: confirmations, the live score total, the editable list of problems.
(function () {
  "use strict";

  // <form data-confirm="…">: ask before a consequential POST (publish, close, return, remove).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // <form data-unsaved="…">: a form saved one page at a time (routine scores). Leaving it by a link
  // (the pager, a header that sorts) with changed fields asks first: nothing typed is lost silently.
  document.querySelectorAll("form[data-unsaved]").forEach(function (form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[href]");
      if (changed && link && !window.confirm(form.dataset.unsaved)) event.preventDefault();
    });
  });

  // The desk's question box is folded at the top of the panel: a link to it (#questions, or one
  // question as #question-N from the home page) unfolds it.
  var questions = document.getElementById("questions");
  function unfoldQuestions() {
    if (questions && /^#question/.test(window.location.hash)) questions.open = true;
  }
  unfoldQuestions();
  window.addEventListener("hashchange", unfoldQuestions);

  // The sum of the criterion scores, shown while typing.
  var total = document.getElementById("score-total");
  var inputs = document.querySelectorAll(".score-input");
  function updateTotal() {
    var sum = 0;
    var any = false;
    inputs.forEach(function (input) {
      var value = parseFloat(input.value);
      if (!isNaN(value)) { sum += value; any = true; }
    });
    total.textContent = any ? String(Math.round(sum * 10) / 10) : "—";
  }
  if (total) {
    inputs.forEach(function (input) { input.addEventListener("input", updateTotal); });
    updateTotal();
  }

  // Problems: a Django formset; new rows are copies of the empty form (prefix "problems").
  var rows = document.getElementById("problem-rows");
  var template = document.getElementById("problem-template");
  var addButton = document.getElementById("problem-add");
  var totalForms = document.getElementById("id_problems-TOTAL_FORMS");
  if (rows && template && addButton && totalForms) {
    addButton.addEventListener("click", function () {
      var index = parseInt(totalForms.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      totalForms.value = String(index + 1);
      var added = rows.lastElementChild.querySelector(".problem-text");
      if (added) added.focus();
    });
    rows.addEventListener("click", function (event) {
      var button = event.target.closest(".problem-remove");
      if (!button) return;
      // An emptied row is a deleted one: the form count stays consistent.
      var row = button.closest(".problem-row");
      row.querySelector(".problem-text").value = "";
      row.classList.add("d-none");
    });
  }
})();
