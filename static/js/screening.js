/* Follow-up questions of the C-SSRS screener appear only after the answer that asks for them,
   as in the published flow (questions 3 to 5 after "yes" to question 2; the 3-month question
   after "yes" to question 6). The server already hides them after a saved "no"; without
   JavaScript the others stay visible, and a note before question 3 says when to answer them. */
(function () {
  "use strict";
  function update(form, source) {
    var chosen = form.querySelector('input[name="' + source + '"]:checked');
    var show = chosen !== null && chosen.value === "yes";
    form.querySelectorAll(".follows-" + source).forEach(function (block) {
      block.hidden = !show;
      if (!show) {
        block.querySelectorAll("input").forEach(function (input) { input.checked = false; });
      }
    });
  }
  document.querySelectorAll(".screening-form form").forEach(function (form) {
    ["cssrs_2", "cssrs_6"].forEach(function (source) {
      if (!form.querySelector(".follows-" + source)) { return; }
      update(form, source);
      form.querySelectorAll('input[name="' + source + '"]').forEach(function (input) {
        input.addEventListener("change", function () { update(form, source); });
      });
    });
  });
})();
