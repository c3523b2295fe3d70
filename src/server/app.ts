// The HTTPS port as a fastify app, built separately from listening so tests can inject requests.
// It decodes, calls the AdmissionHandler and writes what it returns; it never decides policy.
//
//   POST /validate  AdmissionReview in, AdmissionReview out (400/413/415 for bad input)
//   GET  /healthz   200 while the process lives
//   GET  /readyz    503 until the cluster state is synced (and again while shutting down)
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { AdmissionHandler } from '../admission/handler.js';
import type { Logger } from '../log.js';
import { registerHealthRoutes } from './health.js';
import { reviewRoute } from './review-route.js';
import { admissionReviewSchema, errorBodySchema } from './schemas.js';

/** AdmissionReviews carry an object and its old version; etcd caps one object at 1.5 MiB. */
export const BODY_LIMIT = 3 * 1024 * 1024;

/**
 * How long a client may take (SPEC: never a hang). kube-apiserver completes the TLS handshake and
 * sends a review's headers at once, and gives a webhook at most 30 s; a client slower than this is
 * stuck or hostile (slowloris) and is cut off, so it cannot hold a connection, a socket or a
 * shutdown open for long, nor starve the reviews on other connections.
 */
export const SERVER_TIMEOUTS = {
  /** the TLS handshake (Node's default is 120 s) */
  handshakeMs: 10_000,
  /** all headers of a request, counted from the connection's start or the request's first byte */
  headersMs: 10_000,
  /** the whole request, body included */
  requestMs: 30_000,
  /** an idle keep-alive connection between two reviews (fastify's default) */
  keepAliveMs: 72_000,
  /** how often open connections are checked against headersMs and requestMs (Node's default is 30 s) */
  checkIntervalMs: 1_000,
} as const;

export type ServerTimeouts = { [K in keyof typeof SERVER_TIMEOUTS]: number };

export const REQUEST_TIMEOUT_MS = SERVER_TIMEOUTS.requestMs;

export interface AppDeps {
  handler: AdmissionHandler;
  /** cluster state synced (and not shutting down) */
  ready: () => boolean;
  logger: Logger;
  /** TLS options (cert, key, and ca + requestCert for --client-ca); plain HTTP when omitted */
  https?: HttpsServerOptions;
  /** SERVER_TIMEOUTS unless overridden (tests shorten them) */
  timeouts?: Partial<ServerTimeouts>;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Operator-facing text for the transport errors fastify raises. */
function explain(error: FastifyError, contentType: string | undefined): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return `netguard accepts only Content-Type: application/json, got ${contentType ? `"${contentType}"` : 'none'}. Send the AdmissionReview as JSON, as kube-apiserver does.`;
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the request body is larger than ${BODY_LIMIT / 1024 / 1024} MiB, more than any AdmissionReview kube-apiserver sends.`;
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the request body does not match its Content-Length header.';
    default:
      return error.message;
  }
}

/** The answer to a request fastify or the review route could not serve, logged as it deserves. */
function failureAnswer(deps: AppDeps, error: FastifyError, url: string | undefined, contentType: string | undefined) {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  const message = status === 500 ? 'netguard failed to answer this request; see its logs.' : explain(error, contentType);
  if (status === 500) deps.logger.error({ err: error, url }, 'request failed');
  else deps.logger.info({ status, problem: message, url }, 'refused a bad request');
  // every client mistake is an invalid review request; the HTTP status says which kind
  const code = status === 500 ? 'NETGUARD_ERR_INTERNAL' : 'NETGUARD_ERR_REVIEW_INVALID';
  return { status, body: { error: STATUS_TEXT[status] ?? 'Error', code, message } };
}

export function buildApp(deps: AppDeps) {
  const timeouts: ServerTimeouts = { ...SERVER_TIMEOUTS, ...deps.timeouts };
  const serverOptions = {
    headersTimeout: timeouts.headersMs,
    requestTimeout: timeouts.requestMs,
    connectionsCheckingInterval: timeouts.checkIntervalMs,
  };
  let open = true;
  const failed = (error: unknown, req: IncomingMessage, res: ServerResponse) => {
    const { status, body } = failureAnswer(deps, error as FastifyError, req.url, req.headers['content-type']);
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
    res.end(payload);
  };
  const app = fastify({
    // the server is made here (as fastify would make it) so reviews can skip fastify: review-route.ts
    serverFactory: (fastifyListener) => {
      const listener = reviewRoute({ handler: deps.handler, bodyLimit: BODY_LIMIT, open: () => open, failed }, fastifyListener);
      const server = deps.https ? createHttpsServer({ ...serverOptions, handshakeTimeout: timeouts.handshakeMs, ...deps.https }, listener) : createHttpServer(serverOptions, listener);
      server.keepAliveTimeout = timeouts.keepAliveMs;
      return server;
    },
    // fastify's own lines (per-request access logs, "Server listening") would double ours: the
    // handler logs each review and serve logs one "listening" line; fastify keeps warnings/errors
    loggerInstance: deps.logger.child({ component: 'https' }, { level: 'warn' }),
    // fastify would make a pino child (a request id binding) per request, measurable in a review's
    // CPU under load, for lines it writes only on errors; those name the URL instead
    childLoggerFactory: (logger) => logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT,
    // during shutdown, reviews already on an open connection are still answered (not 503'd);
    // idle keep-alive connections are closed so shutdown does not wait on them
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  }) as unknown as FastifyInstance;
  // from now on fastify answers every request, and tells keep-alive clients it is closing
  app.addHook('preClose', (done) => {
    open = false;
    done();
  });

  // Only JSON is accepted (415 otherwise, including fastify's default text/plain). The body is
  // kept as a string and parsed by the handler with plain JSON.parse: fastify's own parser refuses
  // `__proto__` keys, which can legitimately appear inside objects (we never merge objects).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, body } = failureAnswer(deps, error, request.url, request.headers['content-type']);
    void reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error: 'Not Found',
      message: `${request.method} ${request.url.split('?')[0]} is not served here: reviews go to POST /validate; health is GET /healthz and GET /readyz.`,
    });
  });

  app.post(
    '/validate',
    { schema: { response: { 200: admissionReviewSchema, 400: errorBodySchema } } },
    async (request, reply) => {
      const result = await deps.handler.handle(request.body);
      return reply.code(result.statusCode as 200 | 400).send(result.body);
    },
  );

  registerHealthRoutes(app, deps.ready);
  return app;
}

export type NetguardApp = ReturnType<typeof buildApp>;
