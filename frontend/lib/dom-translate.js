// Swaps English text that a library renders for Chinese, as it appears:
// text nodes and a few attributes whose whole (trimmed) value is a key of the
// dictionary, or matches one of the patterns. Used where a library offers no
// translation service (form-js).

const ATTRIBUTES = ["title", "placeholder", "aria-label"];

function lookup(value, dictionary, patterns) {
  if (Object.prototype.hasOwnProperty.call(dictionary, value)) {
    return dictionary[value];
  }
  for (const [pattern, replacement] of patterns) {
    if (pattern.test(value)) {
      return value.replace(pattern, replacement);
    }
  }
  return null;
}

function translateNode(node, dictionary, patterns) {
  if (node.nodeType === Node.TEXT_NODE) {
    const key = node.data.trim();
    const text = key ? lookup(key, dictionary, patterns) : null;
    if (text !== null) {
      node.data = node.data.replace(key, text);
    }
    return;
  }
  if (node.nodeType !== Node.ELEMENT_NODE) {
    return;
  }
  for (const name of ATTRIBUTES) {
    const value = node.getAttribute(name);
    const text = value ? lookup(value, dictionary, patterns) : null;
    if (text !== null) {
      node.setAttribute(name, text);
    }
  }
  node.childNodes.forEach((child) => translateNode(child, dictionary, patterns));
}

export function translateWithin(root, dictionary, patterns = []) {
  translateNode(root, dictionary, patterns);
  const observer = new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      if (mutation.type === "childList") {
        mutation.addedNodes.forEach((node) => translateNode(node, dictionary, patterns));
      } else {
        translateNode(mutation.target, dictionary, patterns);
      }
    }
  });
  observer.observe(root, {
    subtree: true,
    childList: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRIBUTES,
  });
  return observer;
}
