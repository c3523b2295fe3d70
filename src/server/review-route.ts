// POST /validate as kube-apiserver sends it — JSON with a Content-Length within the limit — is
// answered straight from node's request event; every other request (other routes, other content
// types, chunked or encoded bodies, anything during shutdown) goes to fastify, which also gives
// every error answer. A review is the one request that comes thousands of times a second, and
// fastify's per-request machinery (request and reply objects, hooks, content-type parsing,
// serializer) was the largest cost left around the rules (bench/README.md).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionHandler } from '../admission/handler.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** What kube-apiserver sends; anything else is left to fastify's content-type handling. */
const JSON_CONTENT_TYPES: ReadonlySet<string> = new Set(['application/json', 'application/json; charset=utf-8']);

/** `/validate`, or `/validate?timeout=10s` as kube-apiserver appends it */
function isValidate(url: string | undefined): boolean {
  return url !== undefined && url.startsWith('/validate') && (url.length === 9 || url.charCodeAt(9) === 63 /* ? */);
}

export interface ReviewRouteOptions {
  handler: AdmissionHandler;
  bodyLimit: number;
  /** false once the server is closing: fastify then answers (and closes keep-alive connections) */
  open: () => boolean;
  /** an unexpected throw: write fastify's 500 answer */
  failed: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
}

export function reviewRoute(options: ReviewRouteOptions, fastify: Listener): Listener {
  const { handler, bodyLimit } = options;
  return (req, res) => {
    const { headers } = req;
    const length = Number(headers['content-length']);
    if (
      req.method !== 'POST' ||
      !isValidate(req.url) ||
      !JSON_CONTENT_TYPES.has(headers['content-type'] ?? '') ||
      !(length <= bodyLimit) ||
      headers['transfer-encoding'] !== undefined ||
      headers['content-encoding'] !== undefined ||
      !options.open()
    ) {
      fastify(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, received).toString('utf8');
      handler.handle(body).then(
        (result) => {
          const payload = JSON.stringify(result.body);
          res.writeHead(result.statusCode, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
          res.end(payload);
        },
        (error: unknown) => options.failed(error, req, res),
      );
    });
    // a client that goes away mid-body: node destroys the socket; nothing to answer
    req.on('error', () => undefined);
  };
}
