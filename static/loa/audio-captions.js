/* Captions for audio: browsers load an <audio>'s caption track but never show it,
   so the current cue is written into the line after the player. Without scripts
   the transcript below says the same. */
(function () {
  "use strict";
  var audio = document.querySelector("audio[data-captions]");
  var line = document.querySelector(".caption-line");
  if (!audio || !line || !audio.textTracks.length) return;
  var track = audio.textTracks[0];
  track.mode = "hidden"; // load and fire cuechange without drawing anything
  track.addEventListener("cuechange", function () {
    var cue = track.activeCues && track.activeCues[0];
    line.textContent = cue ? cue.text : "";
    line.hidden = !cue;
  });
})();
