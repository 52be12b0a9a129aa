// Pickers of the approval operations' dialogs: typing an account or a name
// fills the shared <datalist> with matching staff (or posts) from the server.
// Several people may be entered separated by commas; suggestions complete
// the last one. Without this script the fields still accept accounts.
(function () {
  "use strict";

  const DELAY = 250;

  function lastPart(value) {
    const parts = value.split(/[,，、]/);
    return parts[parts.length - 1].trim();
  }

  function prefix(value) {
    const match = value.match(/^(.*[,，、])\s*[^,，、]*$/);
    return match ? match[1] : "";
  }

  function fill(list, input, entries) {
    const head = input.hasAttribute("data-multiple") ? prefix(input.value) : "";
    list.replaceChildren(
      ...entries.map(([value, label]) => {
        const option = document.createElement("option");
        option.value = head + value;
        option.label = label;
        option.textContent = label;
        return option;
      })
    );
  }

  function attach(input, list, url, toEntries) {
    let timer = null;
    input.addEventListener("input", () => {
      const query = lastPart(input.value);
      window.clearTimeout(timer);
      if (!query) {
        return;
      }
      timer = window.setTimeout(() => {
        const address = new URL(url, window.location.origin);
        address.searchParams.set("q", query);
        fetch(address, { credentials: "same-origin" })
          .then((response) => (response.ok ? response.json() : null))
          .then((body) => {
            if (body) {
              fill(list, input, toEntries(body));
            }
          })
          .catch(() => {});
      }, DELAY);
    });
  }

  function start() {
    const people = document.getElementById("egov-people-list");
    if (people && people.dataset.peopleUrl) {
      document.querySelectorAll("input[data-people-picker]").forEach((input) => {
        attach(input, people, people.dataset.peopleUrl, (body) =>
          body.people.map((p) => [
            p.username,
            p.organization ? `${p.name}（${p.organization}）` : p.name,
          ])
        );
      });
    }
    const posts = document.getElementById("egov-posts-list");
    document.querySelectorAll("input[data-post-picker]").forEach((input) => {
      input.setAttribute("data-multiple", "");
      if (posts && input.dataset.postsUrl) {
        attach(input, posts, input.dataset.postsUrl, (body) =>
          body.posts.map((p) => [p.ref, p.name])
        );
      }
    });
    // A confirmation for the irreversible removal of an added signer.
    document.querySelectorAll("button[data-confirm]").forEach((button) => {
      button.addEventListener("click", (event) => {
        if (!window.confirm(button.dataset.confirm)) {
          event.preventDefault();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
