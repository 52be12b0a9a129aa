// Applying online: the item form's data goes with the applicant form, the
// draft is saved before a material is uploaded (so nothing typed is lost),
// a file chosen or photographed is uploaded at once, and the final buttons
// cannot be pressed twice. No inline handlers: CSP forbids them.
(function () {
  const mainForm = document.querySelector("[data-sh-apply-form]");
  const itemForm = document.querySelector("[data-sh-item-form]");

  function formJs() {
    if (!itemForm || !window.egovForms) {
      return null;
    }
    return window.egovForms.formFor(itemForm) || null;
  }

  // Puts the form-js data into the hidden field; on the final submit also
  // lets form-js show its own messages under the fields.
  function collect(final) {
    const form = formJs();
    const hidden = mainForm && mainForm.querySelector("[name=form_data]");
    if (!form || !hidden) {
      return;
    }
    const data = final ? form.submit().data : form._getState().data;
    hidden.value = JSON.stringify(data || {});
  }

  // The server's messages for item form fields, under those fields.
  function showServerErrors() {
    const holder = document.getElementById("sh-form-errors");
    const form = formJs();
    if (!holder || !form) {
      return;
    }
    let errors = {};
    try {
      errors = JSON.parse(holder.textContent) || {};
    } catch (error) {
      return;
    }
    const byPath = {};
    form
      .get("formFieldInstanceRegistry")
      .getAllKeyed()
      .forEach((instance) => {
        byPath[instance.valuePath.join(".")] = instance.id;
      });
    const state = {};
    Object.entries(errors).forEach(([name, messages]) => {
      const id = name.startsWith("data.") ? byPath[name.slice(5)] : null;
      if (id) {
        state[id] = messages;
      }
    });
    if (Object.keys(state).length) {
      form._setState({ errors: state });
    }
  }

  if (itemForm) {
    if (itemForm.dataset.egovFormReady === "true") {
      showServerErrors();
    } else {
      itemForm.addEventListener("egov:form-ready", showServerErrors);
    }
  }

  if (mainForm) {
    mainForm.addEventListener("submit", (event) => {
      const button = event.submitter;
      const final = Boolean(button && button.value && button.value !== "save");
      collect(final);
    });
  }

  async function saveFirst() {
    if (!mainForm) {
      return;
    }
    collect(false);
    const body = new FormData(mainForm);
    body.set("action", "save");
    try {
      await fetch(mainForm.getAttribute("action"), {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", Accept: "application/json" },
      });
    } catch (error) {
      // The upload goes ahead; what was typed stays in the page.
    }
  }

  document.querySelectorAll("[data-sh-upload]").forEach((form) => {
    let sending = false;
    async function send() {
      if (sending) {
        return;
      }
      sending = true;
      form.querySelectorAll("button").forEach((button) => {
        button.disabled = true;
      });
      await saveFirst();
      form.submit();
    }
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send();
    });
    form.querySelectorAll("[data-sh-file]").forEach((input) => {
      input.addEventListener("change", () => {
        if (input.files && input.files.length) {
          // Only the input just used goes with the form.
          form.querySelectorAll("[data-sh-file]").forEach((other) => {
            if (other !== input) {
              other.value = "";
            }
          });
          send();
        }
      });
    });
  });

  // A final button pressed once stays pressed until the next page.
  document.querySelectorAll("[data-sh-once]").forEach((button) => {
    const form = button.form;
    if (!form) {
      return;
    }
    form.addEventListener("submit", (event) => {
      if (event.submitter !== button) {
        return;
      }
      if (button.dataset.shPressed === "true") {
        event.preventDefault();
        return;
      }
      button.dataset.shPressed = "true";
      window.setTimeout(() => {
        button.disabled = true;
      }, 0);
    });
  });

  document.querySelectorAll("[data-sh-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.shConfirm)) {
        event.preventDefault();
      }
    });
  });
})();
