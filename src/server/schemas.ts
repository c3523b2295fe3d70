// Response schemas: fastify compiles them into serializers once, so answering a review costs no
// generic JSON.stringify walk. They must list every field we send: unknown fields are dropped.

export const errorBodySchema = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
    message: { type: 'string' },
  },
} as const;

export const admissionReviewSchema = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    response: {
      type: 'object',
      properties: {
        uid: { type: 'string' },
        allowed: { type: 'boolean' },
        status: {
          type: 'object',
          properties: {
            code: { type: 'integer' },
            reason: { type: 'string' },
            message: { type: 'string' },
          },
        },
        warnings: { type: 'array', items: { type: 'string' } },
        auditAnnotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
} as const;

export const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
} as const;
