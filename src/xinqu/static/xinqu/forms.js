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
// The enterprise picker (enterprises/widgets/picker.html): choosing a suggestion fills in its
// credit code and shows the name chosen.
document.addEventListener("click", (event) => {
  const choice = event.target.closest("[data-pick-target]");
  if (!choice) return;
  const input = document.getElementById(choice.dataset.pickTarget);
  if (!input) return;
  input.value = choice.dataset.pickValue;
  const list = document.getElementById(`${input.id}-matches`);
  list.replaceChildren();
  const chosen = document.createElement("div");
  chosen.className = "list-group-item small text-success xq-picked";
  chosen.textContent = `✓ ${choice.dataset.pickName}`;
  list.append(chosen);
});
// The workflow action box (workflow/_action_box.html): only the chosen step's fields show, and
// only they are sent.
function showStep(box) {
  const choice = box.querySelector("input[name=choose]:checked");
  for (const step of box.querySelectorAll("fieldset[data-step]")) {
    const shown = !choice || step.dataset.step === choice.value;
    step.hidden = !shown;
    step.disabled = !shown;
  }
}
document.addEventListener("change", (event) => {
  const box = event.target.closest("form[data-action-box]");
  if (box && event.target.name === "choose") showStep(box);
});
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("form[data-action-box]")) showStep(box);
});
