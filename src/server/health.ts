// /healthz and /readyz, shared by the HTTPS port and the metrics port. Liveness never depends on
// the cluster (a restart would not fix an unreachable API server); readiness does, so traffic only
// reaches a replica whose cache is synced.
import type { FastifyInstance } from 'fastify';
import { statusSchema } from './schemas.js';

export function registerHealthRoutes(app: FastifyInstance, ready: () => boolean): void {
  const schema = { response: { 200: statusSchema, 503: statusSchema } };
  app.get('/healthz', { schema }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema }, async (_request, reply) => {
    if (ready()) return { status: 'ready' };
    return reply.code(503).send({
      status: 'not ready',
      error: 'Service Unavailable',
      message: 'netguard is not ready: the cluster state is not synced yet, or the server is shutting down.',
    });
  });
}
