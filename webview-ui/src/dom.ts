// DOM helpers. Every string from a trace goes through textContent: never innerHTML.

/** A new element with a class and optional text (set as textContent). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls = '', text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Appends children and returns the parent. */
export function add<T extends HTMLElement>(parent: T, ...children: HTMLElement[]): T {
  for (const c of children) parent.appendChild(c);
  return parent;
}
