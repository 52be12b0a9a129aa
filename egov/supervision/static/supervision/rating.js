// 好差评: show only the tags of the chosen level, and clear the others so a
// hidden tag is never sent with the rating.
(function () {
  "use strict";
  function sync(form) {
    var chosen = form.querySelector('input[name="level"]:checked');
    var level = chosen ? chosen.value : null;
    form.querySelectorAll("[data-sv-tags-for]").forEach(function (group) {
      var levels = group.getAttribute("data-sv-tags-for").split(" ");
      var show = level !== null && levels.indexOf(level) !== -1;
      group.classList.toggle("d-none", !show);
      if (!show) {
        group.querySelectorAll('input[type="checkbox"]').forEach(function (box) {
          box.checked = false;
        });
      }
    });
  }
  document.querySelectorAll(".sv-rating-form").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.name === "level") {
        sync(form);
      }
    });
    sync(form);
  });
})();
