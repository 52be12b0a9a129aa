// 事项管理 → 编辑: add material rows from the formset's empty form, and show the
// fee and licence fields only when they apply.
(function () {
  const container = document.getElementById("sh-materials");
  const template = document.getElementById("sh-material-empty");
  const total = document.getElementById("id_materials-TOTAL_FORMS");
  const add = document.getElementById("sh-add-material");
  if (container && template && total && add) {
    add.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      const holder = document.createElement("div");
      holder.innerHTML = html.trim();
      const row = holder.firstElementChild;
      row.querySelectorAll("[data-sh-number]").forEach((el) => {
        el.textContent = String(index + 1);
      });
      container.appendChild(row);
      total.value = String(index + 1);
      const first = row.querySelector("input[type=text]");
      if (first) first.focus();
    });
  }

  function toggle(checkboxId, targetId) {
    const box = document.getElementById(checkboxId);
    const target = document.getElementById(targetId);
    if (!box || !target) return;
    const sync = () => target.classList.toggle("d-none", !box.checked);
    box.addEventListener("change", sync);
    sync();
  }
  toggle("id_charges_fee", "sh-fee-fields");
  toggle("id_issues_licence", "sh-licence-fields");
})();
