/* "Listen before saving" on a written announcement: posts the typed text and the
   chosen voice, polls the queued job, then plays the result. The synthesis runs in
   a worker, never in this request. Words come translated from the panel. */
(function () {
  "use strict";
  var box = document.querySelector("[data-speech-preview]");
  if (!box || box.dataset.ready) return;
  box.dataset.ready = "1";
  var button = box.querySelector("[data-speech-preview-button]");
  var message = box.querySelector("[data-speech-preview-message]");
  var audio = box.querySelector("[data-speech-preview-audio]");
  var spoken = box.querySelector("[data-speech-preview-spoken]");
  var POLL_MS = 1000, GIVE_UP_MS = 120000;

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function field(name) {
    var el = document.querySelector("[name=" + name + "]");
    return el ? el.value : "";
  }

  function poll(url, started) {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.status === "done") {
          say("");
          spoken.textContent = job.spoken;
          spoken.hidden = false;
          audio.src = job.audio_url;
          audio.controls = true;
          audio.hidden = false;
          button.disabled = false;
          audio.play().catch(function () {});
        } else if (job.status === "failed") {
          say(box.dataset.failed + " " + job.error);
          button.disabled = false;
        } else if (Date.now() - started > GIVE_UP_MS) {
          say(box.dataset.slow);
          button.disabled = false;
        } else {
          setTimeout(function () { poll(url, started); }, POLL_MS);
        }
      })
      .catch(function () { say(box.dataset.slow); button.disabled = false; });
  }

  button.addEventListener("click", function () {
    var body = new FormData();
    body.append("text", field("speech_text"));
    body.append("voice", field("voice"));
    button.disabled = true;
    audio.hidden = true;
    spoken.hidden = true;
    say(box.dataset.waiting);
    fetch(box.dataset.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": field("csrfmiddlewaretoken") }
    })
      .then(function (r) { return r.json().then(function (j) { return [r, j]; }); })
      .then(function (pair) {
        if (pair[0].status !== 202) {
          say(pair[1].error);
          button.disabled = false;
          return;
        }
        poll(pair[1].status_url, Date.now());
      })
      .catch(function () { say(box.dataset.slow); button.disabled = false; });
  });
})();
