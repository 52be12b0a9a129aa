// After a code is sent, the "get code" button counts down until another may be
// requested (the server enforces the same limit).
document.querySelectorAll("[data-resend-seconds]").forEach((button) => {
  const label = button.textContent;
  let left = parseInt(button.dataset.resendSeconds, 10) || 0;
  const tick = () => {
    if (left <= 0) {
      button.disabled = false;
      button.textContent = label;
      return;
    }
    button.disabled = true;
    button.textContent = `${label} (${left}s)`;
    left -= 1;
    window.setTimeout(tick, 1000);
  };
  tick();
});
