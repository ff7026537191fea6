// The big screen: a 1920×1080 stage scaled to fit the display, moving on to the next area (and
// so reloading the figures) every data-rotate seconds.
(function () {
  var WIDTH = 1920, HEIGHT = 1080;
  function fit() {
    var stage = document.getElementById("screen-stage");
    if (!stage) return;
    var scale = Math.min(window.innerWidth / WIDTH, window.innerHeight / HEIGHT);
    stage.style.transform = "scale(" + scale + ")";
  }
  document.addEventListener("DOMContentLoaded", function () {
    fit();
    window.addEventListener("resize", fit);
    var stage = document.getElementById("screen-stage");
    var seconds = parseInt(stage && stage.dataset.rotate, 10);
    if (stage && stage.dataset.next && seconds > 0) {
      window.setTimeout(function () { window.location.replace(stage.dataset.next); }, seconds * 1000);
    }
  });
})();
