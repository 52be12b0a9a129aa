// 常用意见: choosing a phrase puts its text into the opinion box, where the
// handler may still edit it. Without this script the server uses the chosen
// phrase when the box is left empty.
document.querySelectorAll("select[data-phrase-for]").forEach((select) => {
  select.addEventListener("change", () => {
    const target = document.getElementById(select.dataset.phraseFor);
    const option = select.options[select.selectedIndex];
    if (target && option && option.value) {
      target.value = option.textContent;
      target.focus();
    }
  });
});
