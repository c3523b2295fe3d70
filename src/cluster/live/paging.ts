// Paged LIST (`limit` + `continue`): big collections arrive and are handled one page at a time,
// so nothing ever holds a whole cluster's pods or policies at once.
import { asArray, isRecord } from '../objects.js';
import type { KubeClient } from './http.js';

/** Objects per page, as kubectl and client-go's pager use. */
export const PAGE_SIZE = 500;

export interface Page {
  items: unknown[];
  /** resourceVersion of the list: a watch from it sees every later change */
  resourceVersion: string;
  /** true when more pages follow */
  more: boolean;
}

export interface PageOptions {
  limit?: number;
  /** per request */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** called before each request with the number of objects read so far; return a smaller limit or 0 to stop */
  nextLimit?: (readSoFar: number) => number;
}

export async function* listPages(client: KubeClient, path: string, options: PageOptions = {}): AsyncGenerator<Page> {
  let token: string | undefined;
  let read = 0;
  do {
    const limit = options.nextLimit ? options.nextLimit(read) : (options.limit ?? PAGE_SIZE);
    if (limit <= 0) return;
    const body = await client.getJson(path, {
      query: { limit, continue: token },
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const metadata = isRecord(body) && isRecord(body['metadata']) ? body['metadata'] : {};
    const items = isRecord(body) ? asArray(body['items']) : [];
    token = typeof metadata['continue'] === 'string' && metadata['continue'] !== '' ? metadata['continue'] : undefined;
    read += items.length;
    yield { items, resourceVersion: typeof metadata['resourceVersion'] === 'string' ? metadata['resourceVersion'] : '', more: token !== undefined };
  } while (token !== undefined);
}
