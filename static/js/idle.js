// Warns two minutes before an idle session ends, and offers to keep it alive.
// The server ends the session regardless (participants.security.IdleTimeoutMiddleware).
(function () {
  "use strict";
  var body = document.body;
  var timeout = parseInt(body.dataset.idleTimeout || "0", 10);
  if (!timeout) { return; }
  var warning = document.getElementById("idle-warning");
  var stay = document.getElementById("idle-stay");
  var token = document.querySelector('meta[name="csrf-token"]');
  var warnAfter = Math.max(timeout - 120, 0) * 1000;
  var warnTimer, endTimer;

  function signedOut() {
    window.location.assign(body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname));
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warning.classList.add("d-none");
    warnTimer = setTimeout(function () {
      warning.classList.remove("d-none");
      stay.focus();
    }, warnAfter);
    endTimer = setTimeout(signedOut, timeout * 1000 + 1000);
  }

  stay.addEventListener("click", function () {
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.content : "" }
    }).then(function (response) {
      if (response.ok) { schedule(); } else { signedOut(); }
    }, signedOut);
  });

  schedule();
})();
