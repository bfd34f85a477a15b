/* Lightbox: enhances links marked data-lightbox (which open the full image without
   scripts) into an in-page viewer. Keyboard: ←/→ to move, Esc to close; swipe on
   touch screens. Focus returns to the link that opened it. */
(function () {
  "use strict";
  var links = Array.prototype.slice.call(document.querySelectorAll("a[data-lightbox]"));
  if (!links.length) return;
  // Words come translated from the page (templates/exhibitions/public.html).
  var data = (document.currentScript || {}).dataset || {};
  var words = {
    close: data.close || "Close",
    prev: data.prev || "Previous",
    next: data.next || "Next",
    of: data.of || "of",
    label: data.label || "Image viewer"
  };

  var box = document.createElement("div");
  box.className = "lightbox";
  box.hidden = true;
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-label", words.label);
  box.innerHTML =
    '<img alt=""><p class="caption"></p><p class="position" aria-live="polite"></p>' +
    '<div class="controls"><button type="button" class="prev"></button>' +
    '<button type="button" class="next"></button><button type="button" class="close"></button></div>';
  document.body.appendChild(box);
  var img = box.querySelector("img");
  var caption = box.querySelector(".caption");
  var position = box.querySelector(".position");
  var prev = box.querySelector(".prev");
  var next = box.querySelector(".next");
  var close = box.querySelector(".close");
  prev.textContent = "← " + words.prev;
  next.textContent = words.next + " →";
  close.textContent = words.close;

  var group = [];
  var index = 0;
  var opener = null;

  function show(i) {
    index = (i + group.length) % group.length;
    var link = group[index];
    var thumb = link.querySelector("img");
    img.src = link.href;
    img.alt = thumb ? thumb.alt : "";
    caption.textContent = link.getAttribute("data-caption") || "";
    position.textContent = index + 1 + " " + words.of + " " + group.length;
    prev.hidden = next.hidden = group.length < 2;
  }

  function open(link) {
    var name = link.getAttribute("data-lightbox");
    group = links.filter(function (l) { return l.getAttribute("data-lightbox") === name; });
    opener = link;
    box.hidden = false;
    show(group.indexOf(link));
    close.focus();
  }

  function shut() {
    box.hidden = true;
    img.removeAttribute("src");
    if (opener) opener.focus();
  }

  links.forEach(function (link) {
    link.addEventListener("click", function (event) {
      if (event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      open(link);
    });
  });
  prev.addEventListener("click", function () { show(index - 1); });
  next.addEventListener("click", function () { show(index + 1); });
  close.addEventListener("click", shut);
  box.addEventListener("click", function (event) { if (event.target === box) shut(); });

  document.addEventListener("keydown", function (event) {
    if (box.hidden) return;
    if (event.key === "Escape") { event.preventDefault(); shut(); }
    else if (event.key === "ArrowLeft") { event.preventDefault(); show(index - 1); }
    else if (event.key === "ArrowRight") { event.preventDefault(); show(index + 1); }
    else if (event.key === "Tab") {
      // Keep focus inside the dialog while it is open.
      var buttons = Array.prototype.filter.call(
        box.querySelectorAll("button"), function (b) { return !b.hidden; });
      var first = buttons[0], last = buttons[buttons.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    }
  });

  var startX = null;
  box.addEventListener("pointerdown", function (event) { startX = event.clientX; });
  box.addEventListener("pointerup", function (event) {
    if (startX === null) return;
    var dx = event.clientX - startX;
    startX = null;
    if (Math.abs(dx) > 50) show(index + (dx < 0 ? 1 : -1));
  });
})();
