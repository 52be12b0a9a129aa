// Identity management pages. No inline scripts: CSP forbids them.
(function () {
  "use strict";

  // Expand or collapse every node of a tree.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-tree-toggle]");
    if (!button) return;
    const open = button.dataset.treeToggle === "open";
    const scope = button.closest(".card") || document;
    const trees = scope.querySelectorAll(".identity-tree details");
    (trees.length ? trees : document.querySelectorAll(".identity-tree details"))
      .forEach(function (node) { node.open = open; });
  });

  // Keep the highlighted organization in step with the panel htmx loaded.
  document.addEventListener("click", function (event) {
    const link = event.target.closest(".identity-org-link");
    if (!link) return;
    document.querySelectorAll(".identity-org-link.active").forEach(function (node) {
      node.classList.remove("active");
    });
    link.classList.add("active");
  });

  // "全选" in a permission group, and its state following the group's boxes.
  function syncGroup(group) {
    const all = group.querySelector("[data-perm-all]");
    const boxes = group.querySelectorAll("input[name=permissions]");
    const checked = Array.prototype.filter.call(boxes, function (box) { return box.checked; });
    all.checked = boxes.length > 0 && checked.length === boxes.length;
    all.indeterminate = checked.length > 0 && checked.length < boxes.length;
  }

  document.addEventListener("change", function (event) {
    const group = event.target.closest("[data-perm-group]");
    if (!group) return;
    if (event.target.matches("[data-perm-all]")) {
      group.querySelectorAll("input[name=permissions]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
    syncGroup(group);
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-perm-group]").forEach(syncGroup);
  });
})();
