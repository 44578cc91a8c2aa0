// Small DOM and formatting helpers shared by the pages.

// el('td', {class: 'x', dataset: {value: 1}}, 'text', child, ...)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) {
      continue;
    }
    if (name === 'dataset') {
      for (const [key, data] of Object.entries(value)) {
        if (data !== undefined && data !== null) {
          node.dataset[key] = String(data);
        }
      }
    } else if (name === 'class') {
      node.className = value;
    } else if (name.startsWith('on')) {
      node.addEventListener(name.slice(2), value);
    } else {
      node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) {
      continue;
    }
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) {
    node.removeChild(node.firstChild);
  }
  return node;
}

// The API's timestamps are UTC without a zone ("2026-12-07T10:00:00").
export function parseTime(text) {
  if (!text) {
    return null;
  }
  const zoned = /[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : text + 'Z';
  return new Date(zoned);
}

// A Date as the API takes it: ISO, UTC, seconds, no zone.
export function apiTime(date) {
  return date.toISOString().slice(0, 19);
}

export function shownTime(text) {
  const date = parseTime(text);
  return date ? date.toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '';
}

export function number(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return '';
  }
  return Number(value).toLocaleString('en-US', {
    minimumFractionDigits: digits, maximumFractionDigits: digits});
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return '';
  }
  if (seconds < 60) {
    return seconds.toFixed(seconds < 10 ? 2 : 1) + ' s';
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return minutes + ' min ' + Math.round(seconds % 60) + ' s';
  }
  return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
}

// Runs `work` with the page root marked loading, then ready or error
// (the error's message shown in #error), so a reader of the page (or a
// test) knows when what it shows is complete.
export async function rendering(root, work) {
  root.dataset.state = 'loading';
  showError('');
  try {
    await work();
    root.dataset.state = 'ready';
  } catch (err) {
    showError(err.message || String(err));
    root.dataset.state = 'error';
  }
}

export function showError(message) {
  const box = document.getElementById('error');
  box.textContent = message;
  box.hidden = !message;
}
