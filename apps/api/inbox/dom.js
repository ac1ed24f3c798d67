// Builds elements from plain values. Strings become text nodes and attributes are set one by one, so nothing from
// the API is ever parsed as HTML.

/**
 * @param {string} tag
 * @param {Record<string, string | boolean | number | undefined | null>} [attributes] `true` sets an empty attribute,
 *   `false`, `null` and `undefined` leave it out.
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

/** Replaces the children of `parent`. */
export function replaceChildren(parent, ...children) {
  parent.replaceChildren(...children.filter((child) => child !== null && child !== undefined && child !== false));
}

/** An http(s) URL as a string, or null: a `javascript:` or other scheme must never become a link. */
export function safeHttpUrl(text) {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
