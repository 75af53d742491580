/* Click-to-load video: the player (and its host) is requested only after the visitor asks. */
document.addEventListener("click", function (event) {
  var button = event.target.closest(".civicloop-video__play");
  if (!button) return;
  var box = button.closest(".civicloop-video");
  var frame = document.createElement("iframe");
  frame.src = box.dataset.embed + (box.dataset.embed.indexOf("?") < 0 ? "?" : "&") + "autoplay=1";
  frame.title = box.dataset.title;
  frame.allow = "autoplay; fullscreen; picture-in-picture";
  frame.allowFullscreen = true;
  frame.loading = "lazy";
  box.replaceChild(frame, button);
  frame.focus();
});
