// AbleWork shell behaviour. No inline scripts anywhere (CSP). Progressive enhancement only.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary when a form comes back with errors.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
});
