// Small helps for people; every page works without them.
// After a failed submit, the keyboard and screen reader start at the list of problems.
document.addEventListener("DOMContentLoaded", function () {
  var errors = document.querySelector(".form-errors");
  if (errors) {
    errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
});

// "Select every request on this page": a header checkbox that ticks the rows' boxes (it
// stays hidden without JavaScript, where each row is ticked by itself).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-select-all]").forEach(function (all) {
    var name = all.getAttribute("data-select-all");
    var boxes = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
    if (!boxes.length) return;
    all.hidden = false;
    function sync() {
      var ticked = Array.prototype.filter.call(boxes, function (b) { return b.checked; });
      all.checked = ticked.length === boxes.length;
      all.indeterminate = ticked.length > 0 && ticked.length < boxes.length;
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (b) { b.checked = all.checked; });
    });
    boxes.forEach(function (b) { b.addEventListener("change", sync); });
    sync();
  });
});
