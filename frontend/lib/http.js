// JSON requests to the platform. The CSRF cookie is HttpOnly, so pages hand the
// token to scripts in a data attribute of the widget's container.

export function csrfToken(element) {
  const holder = element.closest("[data-csrf-token]");
  if (holder && holder.dataset.csrfToken) {
    return holder.dataset.csrfToken;
  }
  const headers = document.body.getAttribute("hx-headers");
  try {
    return headers ? JSON.parse(headers)["X-CSRFToken"] : "";
  } catch (error) {
    return "";
  }
}

export async function getJSON(url) {
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) {
    throw new Error(`${response.status}`);
  }
  return response.json();
}

// Resolves to {ok, status, body}; never throws for an HTTP error status, so
// callers can show the server's Chinese message.
export async function postJSON(url, payload, element) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrfToken(element),
      },
      body: JSON.stringify(payload),
    });
  } catch (error) {
    return { ok: false, status: 0, body: { message: "网络连接失败，请稍后重试" } };
  }
  let body = {};
  try {
    body = await response.json();
  } catch (error) {
    body = { message: `服务器返回错误（${response.status}）` };
  }
  return { ok: response.ok, status: response.status, body };
}

// Shows a Bootstrap alert in `target`, replacing what was there.
export function showAlert(target, kind, message, details) {
  if (!target) {
    return;
  }
  target.replaceChildren();
  if (!message) {
    return;
  }
  const alert = document.createElement("div");
  alert.className = `alert alert-${kind} mb-2`;
  alert.setAttribute("role", kind === "danger" ? "alert" : "status");
  alert.textContent = message;
  if (details && details.length) {
    const list = document.createElement("ul");
    list.className = "mb-0 mt-1";
    for (const detail of details) {
      const item = document.createElement("li");
      item.textContent = detail;
      list.appendChild(item);
    }
    alert.appendChild(list);
  }
  target.appendChild(alert);
}
