// Pasting a block copied from Excel (tab-separated columns, one line per row) into a grid input
// fills the inputs to its right and the rows below, as the block was laid out in the sheet.
(function () {
  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("table[data-paste-grid] input")) return;
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.replace(/\r?\n$/, "").indexOf("\n") < 0) return;
    event.preventDefault();
    var row = input.closest("tr");
    var rows = Array.prototype.slice.call(input.closest("tbody").querySelectorAll("tr"));
    var start = rows.indexOf(row);
    var column = Array.prototype.indexOf.call(row.querySelectorAll("input"), input);
    text.replace(/\r/g, "").replace(/\n$/, "").split("\n").forEach(function (line, i) {
      var target = rows[start + i];
      if (!target) return;
      var inputs = target.querySelectorAll("input");
      line.split("\t").forEach(function (cell, j) {
        var box = inputs[column + j];
        if (box && !box.disabled) {
          box.value = cell.trim();
          box.classList.add("xq-pasted");
        }
      });
    });
  });
})();
