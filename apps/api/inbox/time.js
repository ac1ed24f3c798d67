// Durations and instants for people: "12 min", "3 h 5 min", and <time> elements carrying the exact instant.
import { h } from './dom.js';

/** A duration rounded to what a reviewer cares about. */
export function formatDuration(ms) {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 1) return 'less than a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  return `${Math.round(hours / 24)} days`;
}

/** A <time> element showing `label`, with the instant in `datetime` and, as a tooltip, in local time. */
export function timeElement(iso, label) {
  return h('time', { datetime: iso, title: new Date(iso).toLocaleString() }, label);
}

/** "waiting 12 min" for an instant in the past. */
export function age(iso, now = Date.now()) {
  return timeElement(iso, `waiting ${formatDuration(now - Date.parse(iso))}`);
}

/** "due in 3 h" or "overdue by 5 min" for a deadline. */
export function deadline(iso, now = Date.now()) {
  const left = Date.parse(iso) - now;
  return timeElement(iso, left >= 0 ? `due in ${formatDuration(left)}` : `overdue by ${formatDuration(-left)}`);
}
