// Short, safe renderings of untrusted values and long lists for operator-facing messages.

/** JSON of a value, cut to `max` characters; never throws (deep nesting, cycles). */
export function brief(value: unknown, max = 60): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // nested deeper than JSON.stringify's stack allows (JSON.parse has no such limit)
    return Array.isArray(value) ? '[...]' : '{...}';
  }
  if (text === undefined) return String(value);
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/**
 * `a, b, c and 7 more`: at most `max` items named, the rest counted, as Pod Security Admission
 * bounds its lists — an answer naming 10,000 offenders helps nobody and weighs megabytes.
 */
export function listAtMost(items: readonly string[], max = 10, separator = ', '): string {
  const named = items.slice(0, max).join(separator);
  return items.length > max ? `${named} and ${items.length - max} more` : named;
}

/**
 * A key kept for long (a store's map keys): its parts joined into one flat string. A template
 * literal leaves V8 a chain of its pieces instead, about three times the memory — at 100,000
 * stored objects, tens of megabytes.
 */
export function storeKey(...parts: readonly string[]): string {
  return parts.join('/');
}
