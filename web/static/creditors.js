// "Ajouter un créancier": the form already offers three rows without JavaScript; this only
// appends more rows from the <template>, numbered after the existing ones.
(function () {
  "use strict";
  var button = document.querySelector("[data-add-creditor]");
  var rows = document.querySelector("[data-creditor-rows]");
  var template = document.getElementById("creditor-row-template");
  if (!button || !rows || !template) {
    return;
  }
  var MAX_ROWS = 30;
  button.hidden = false;
  button.addEventListener("click", function () {
    var index = rows.querySelectorAll("[data-creditor-row]").length;
    if (index >= MAX_ROWS) {
      button.hidden = true;
      return;
    }
    var html = template.innerHTML
      .replace(/__INDEX__/g, String(index))
      .replace(/__NUMBER__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    var added = rows.lastElementChild.querySelector("input");
    if (added) {
      added.focus();
    }
  });
})();
