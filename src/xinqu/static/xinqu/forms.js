// Small behaviours the pages used to write inline, so the Content-Security-Policy can forbid
// inline scripts: a select that submits its form, and a form that opens a URL built from a field.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-goto]");
  if (!form) return;
  event.preventDefault();
  const field = form.elements[form.dataset.gotoField];
  window.location = form.dataset.goto.replace("PLACEHOLDER", encodeURIComponent(field.value));
});
