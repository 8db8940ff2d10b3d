/* The vacancy form, enhanced: while a requirement phrase is typed, show what it maps to
   (the same line the "Check requirements" button shows; without JavaScript that button
   does it). The only script of the portal, allowed by the form page's CSP alone. */
"use strict";
(function () {
  var form = document.querySelector("form[data-preview]");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-preview");
  var timers = {};
  form.addEventListener("input", function (event) {
    var field = event.target;
    var row = /^req-(\d+)-phrase$/.exec(field.id || "");
    if (!row) { return; }
    window.clearTimeout(timers[field.id]);
    timers[field.id] = window.setTimeout(function () {
      var line = document.getElementById("req-" + row[1] + "-preview");
      var phrase = field.value.trim();
      if (!line) { return; }
      if (!phrase) { line.textContent = ""; return; }
      fetch(url + "?phrase=" + encodeURIComponent(phrase), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.text() : ""; })
        .then(function (html) { if (field.value.trim() === phrase) { line.innerHTML = html; } })
        .catch(function () { /* the button still works */ });
    }, 400);
  });
}());
