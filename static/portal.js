// Small helps for people; every page works without them.
// After a failed submit, the keyboard and screen reader start at the list of problems.
document.addEventListener("DOMContentLoaded", function () {
  var errors = document.querySelector(".form-errors");
  if (errors) {
    errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
});
