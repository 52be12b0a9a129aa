// 办事指南: the print button (no inline handlers; CSP forbids them).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-sh-print]")) {
    window.print();
  }
});
