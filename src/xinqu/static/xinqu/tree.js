// The plan tree: a row's ▾ folds its descendants away (and ▸ brings them back).
document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("plan-tree");
  if (!table) return;
  const rows = Array.from(table.querySelectorAll("tbody tr[data-node]"));
  const children = new Map();
  rows.forEach((row) => {
    const parent = row.dataset.parent;
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(row);
  });
  const setHidden = (id, hidden) => {
    (children.get(id) || []).forEach((row) => {
      row.hidden = hidden;
      const toggle = row.querySelector(".xq-toggle");
      // A folded child keeps its own descendants folded when the parent opens again.
      if (!hidden && toggle && toggle.getAttribute("aria-expanded") === "false") return;
      setHidden(row.dataset.node, hidden);
    });
  };
  // On a phone the tree opens one level at a time: below the top level, every branch starts folded.
  if (window.matchMedia("(max-width: 767.98px)").matches) {
    rows.forEach((row) => {
      const toggle = row.querySelector(".xq-toggle");
      if (!toggle || !row.dataset.parent) return;
      toggle.setAttribute("aria-expanded", "false");
      toggle.textContent = "▸";
      setHidden(row.dataset.node, true);
    });
  }
  table.addEventListener("click", (event) => {
    const toggle = event.target.closest(".xq-toggle");
    if (!toggle) return;
    const row = toggle.closest("tr");
    const open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    toggle.textContent = open ? "▸" : "▾";
    setHidden(row.dataset.node, open);
  });
});
