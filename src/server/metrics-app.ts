// The plain-HTTP metrics port: GET /metrics (Prometheus text), /healthz, /readyz. Separate from
// the HTTPS port so Prometheus and kubelet probes need no client certificate or CA.
import fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.js';
import { registerHealthRoutes } from './health.js';

export interface MetricsAppDeps {
  registry: Registry;
  ready: () => boolean;
  logger: Logger;
}

export function buildMetricsApp(deps: MetricsAppDeps): FastifyInstance {
  const app = fastify({
    loggerInstance: deps.logger.child({ component: 'metrics' }, { level: 'warn' }),
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;

  app.get('/metrics', async (_request, reply) => {
    const text = await deps.registry.metrics();
    return reply.type(deps.registry.contentType).send(text);
  });
  registerHealthRoutes(app, deps.ready);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      error: 'Not Found',
      message: `${request.method} ${request.url.split('?')[0]} is not served here: try GET /metrics, /healthz or /readyz.`,
    });
  });
  return app;
}
