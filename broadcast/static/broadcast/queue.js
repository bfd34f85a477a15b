/* Offline queue for the commune page. Without this file the page works as plain
   form posts. With it, every confirmation is first stored on the phone
   (localStorage). With signal the form is still posted normally; without signal it
   waits on the phone, the page says what is waiting, and it is sent when the signal
   returns. The form's uuid travels with it, so a confirmation that is sent twice
   (posted, then re-sent from the queue) is recorded once. */
(function () {
  "use strict";
  var KEY = "loa-confirm-queue";
  var box = document.getElementById("queue");
  if (!box || !window.localStorage || !window.fetch) return;
  var endpoint = box.getAttribute("data-endpoint");
  var sending = false;

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save(q) { localStorage.setItem(KEY, JSON.stringify(q)); }

  function show() {
    var q = load();
    box.hidden = q.length === 0;
    if (q.length) {
      box.textContent = box.getAttribute("data-waiting").replace("%(n)s", q.length) + " " +
        q.map(function (e) { return e.title; }).join(", ");
    }
    q.forEach(function (e) { mark(e.airing, box.getAttribute("data-queued"), "queued"); });
  }

  function mark(airing, text, cls) {
    var s = document.getElementById("airing-" + airing);
    if (!s) return;
    var f = s.querySelector("form");
    if (f) f.hidden = true;
    var p = s.querySelector(".state") || s.appendChild(document.createElement("p"));
    p.className = "state done " + cls;
    p.textContent = text;
  }

  var created = 0;
  function flush() {
    var q = load();
    if (!sending && !q.length && created) {
      // Show the server's account (statuses, messages) once everything is in.
      created = 0;
      window.location.reload();
      return;
    }
    if (sending || !q.length) { show(); return; }
    sending = true;
    var entry = q[0];
    var body = new FormData();
    entry.fields.client_now = new Date().toISOString();  // when it is really sent
    Object.keys(entry.fields).forEach(function (k) { body.append(k, entry.fields[k]); });
    fetch(endpoint, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": entry.fields.csrfmiddlewaretoken }
    }).then(function (r) {
      if (r.status >= 500 || r.status === 0) throw new Error("server");
      return r.json().then(function (data) {
        var rest = load().filter(function (e) { return e.fields.uuid !== entry.fields.uuid; });
        save(rest);
        (data.results || []).forEach(function (res) {
          var ok = res.result === "created" || res.result === "duplicate";
          if (res.result === "created") created++;
          mark(res.airing || entry.airing, ok ? box.getAttribute("data-sent") : res.message,
               ok ? "status-aired sent" : "status-missed");
        });
        sending = false;
        flush();
      });
    }).catch(function () { sending = false; show(); });
  }


  // The phone's clock travels with each confirmation, so the server can record
  // how far off it was; the server's clock stays the authority.
  function stampClock(form) {
    var c = form.querySelector("input[name=client_now]");
    if (c) c.value = new Date().toISOString();
  }

  document.querySelectorAll("form.confirm-all").forEach(function (form) {
    form.addEventListener("submit", function () { stampClock(form); });
  });

  document.querySelectorAll("form.confirm").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      stampClock(form);
      var fields = {};
      new FormData(form).forEach(function (v, k) { fields[k] = v; });
      if (ev.submitter && ev.submitter.name) fields[ev.submitter.name] = ev.submitter.value;
      var section = form.closest("section");
      var q = load();
      if (!q.some(function (e) { return e.fields.uuid === fields.uuid; })) {
        q.push({ airing: fields.airing || "all", fields: fields,
                 title: section ? section.querySelector("h2").textContent : box.getAttribute("data-all") });
        save(q);
      }
      // With signal, post the form as usual; the next page clears the entry.
      if (navigator.onLine) return;
      ev.preventDefault();
      show();
    });
  });
  window.addEventListener("online", flush);
  setInterval(flush, 20000);
  flush();
})();
