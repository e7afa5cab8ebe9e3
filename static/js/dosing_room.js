// The dosing room refreshes its cards from the room's JSON every 15 seconds (dosing.views.room),
// writing text only, and says when its data may be stale: a failed poll, or no fresh data for a
// minute. Polling does not keep an idle session alive: the server ignores it for idle sign-out.
(function () {
  "use strict";
  var room = document.getElementById("dosing-room");
  if (!room || !room.dataset.stateUrl) { return; }
  var POLL_MS = 15000;
  var STALE_MS = 60000;
  var grid = room.querySelector(".seat-grid");
  var stale = room.querySelector('[data-room="stale"]');
  var staleWhy = room.querySelector('[data-room="stale-why"]');
  var updated = room.querySelector('[data-room="updated"]');
  var lastSuccess = Date.now();
  var failed = false;

  function setText(element, text) {
    if (element && element.textContent !== text) { element.textContent = text; }
  }

  function setList(list, items) {
    if (!list) { return; }
    var empty = list.dataset.empty;
    var wanted = items.length ? items : (empty ? [empty] : []);
    var current = Array.prototype.map.call(list.children, function (li) { return li.textContent; });
    if (current.join("\n") === wanted.join("\n")) { return; }
    while (list.firstChild) { list.removeChild(list.firstChild); }
    wanted.forEach(function (text) {
      var li = document.createElement("li");
      li.textContent = text;
      list.appendChild(li);
    });
  }

  function swapClass(element, prefix, value) {
    if (!element) { return; }
    Array.prototype.slice.call(element.classList).forEach(function (name) {
      if (name.indexOf(prefix) === 0) { element.classList.remove(name); }
    });
    if (value) { element.classList.add(prefix + value); }
  }

  function updateCard(card, seat) {
    ["name", "arrival", "discharge", "gate", "stage_label", "dosed_at", "last_vitals",
     "next_vitals_due"].forEach(function (key) {
      if (!(key in seat)) { return; }
      setText(card.querySelector('[data-field="' + key + '"]'), seat[key] || "—");
    });
    ["alarms", "open_events", "gate_reasons"].forEach(function (key) {
      if (key in seat) { setList(card.querySelector('[data-list="' + key + '"]'), seat[key]); }
    });
    if ("alarms" in seat) {
      card.classList.toggle("seat-alarm", seat.alarms.length > 0);
      card.classList.toggle("seat-event", !seat.alarms.length && (seat.open_events || []).length > 0);
      var block = card.querySelector('[data-block="alarms"]');
      if (block) { block.classList.toggle("d-none", seat.alarms.length === 0); }
    }
    if ("stage" in seat) { swapClass(card.querySelector('[data-field="stage_label"]'), "stage-", seat.stage); }
    if ("gate_status" in seat) { swapClass(card.querySelector('[data-field="gate"]'), "gate-", seat.gate_status); }
    if ("vitals_overdue" in seat) {
      var due = card.querySelector('[data-field="next_vitals_due"]');
      if (due) {
        due.classList.toggle("text-danger", seat.vitals_overdue);
        due.classList.toggle("fw-semibold", seat.vitals_overdue);
      }
    }
  }

  function apply(state) {
    var seen = {};
    (state.seats || []).forEach(function (seat) {
      seen[seat.id] = true;
      var card = grid && grid.querySelector('[data-seat="' + seat.id + '"]');
      if (card) { updateCard(card, seat); } else { changed(); }
    });
    if (grid) {
      Array.prototype.forEach.call(grid.querySelectorAll("[data-seat]"), function (card) {
        if (!seen[card.dataset.seat]) { changed(); }
      });
    }
    var monitor = room.querySelector('[data-room="monitor"]');
    if (monitor && state.monitor) {
      setText(monitor, state.monitor);
      monitor.classList.toggle("text-danger", !state.monitor_present);
      monitor.classList.toggle("fw-semibold", !state.monitor_present);
    }
    setText(room.querySelector('[data-room="counts"]'), state.counts_display || "");
    setText(updated, state.generated_at_display || "");
  }

  function changed() {
    var notice = room.querySelector('[data-room="changed"]');
    if (notice) { notice.classList.remove("d-none"); }
  }

  function checkStale() {
    if (!stale) { return; }
    var why = failed ? stale.dataset.failedText
      : (Date.now() - lastSuccess > STALE_MS ? stale.dataset.oldText : "");
    if (why) {
      setText(staleWhy, why);
      stale.classList.remove("d-none");
    } else {
      stale.classList.add("d-none");
    }
  }

  function poll() {
    fetch(room.dataset.stateUrl, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      cache: "no-store"
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      // Signed out: the sign-in page answers instead of the data.
      if (!response.ok || response.redirected || type.indexOf("application/json") !== 0) {
        throw new Error(String(response.status));
      }
      return response.json();
    }).then(function (state) {
      apply(state);
      lastSuccess = Date.now();
      failed = false;
      checkStale();
    }).catch(function () {
      failed = true;
      checkStale();
    }).then(function () {
      window.setTimeout(poll, POLL_MS);
    });
  }

  window.setTimeout(poll, POLL_MS);
  window.setInterval(checkStale, 5000);
})();
