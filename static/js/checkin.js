// Check-in page: read participants' QR codes with the phone's camera (jsQR, vendored) and submit
// them through the same form as a typed or scanner-typed code. No inline script: the CSP forbids it.
(function () {
  "use strict";
  var start = document.getElementById("camera-start");
  var video = document.getElementById("camera");
  var canvas = document.getElementById("camera-frame");
  var form = document.getElementById("code-form");
  var input = document.getElementById("code");
  var select = document.querySelector("select[data-autosubmit]");
  if (select) { select.addEventListener("change", function () { select.form.submit(); }); }
  if (!start || !form) { return; }
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || typeof jsQR !== "function") {
    start.classList.add("d-none");
    return;
  }
  var last = "", lastAt = 0;
  function submit(code) {
    var now = Date.now();
    if (code === last && now - lastAt < 3000) { return; }  // the same badge stays in view for a while
    last = code; lastAt = now;
    input.value = code;
    form.requestSubmit();
  }
  function tick() {
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth; canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (found && found.data) { submit(found.data); }
    }
    requestAnimationFrame(tick);
  }
  start.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.classList.remove("d-none");
        start.classList.add("d-none");
        video.play();
        requestAnimationFrame(tick);
      })
      .catch(function () { start.textContent = start.dataset.failed || "—"; });
  });
  document.body.addEventListener("htmx:afterSwap", function () { input.value = ""; input.focus(); });
})();
