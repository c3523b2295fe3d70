// Parses and validates an incoming AdmissionReview in two steps, each a schema compiled once:
//  1. the envelope (JSON object, apiVersion, kind, request, request.uid). Without it there is no
//     uid to answer to, so the transport answers HTTP 400.
//  2. the request's fields rules read (kind, operation, userInfo, object, ...). A mistake here
//     still has a uid, so it gets a proper AdmissionReview answer refusing the request (BadRequest)
//     — kube-apiserver shows that to the user instead of a webhook failure.
import { Ajv, type ErrorObject } from 'ajv';
import { REVIEW_API_VERSIONS, type AdmissionReview, type ReviewApiVersion } from './types.js';
import { brief } from '../util/text.js';

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'];

const envelopeSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'request'],
  properties: {
    apiVersion: { enum: [...REVIEW_API_VERSIONS] },
    kind: { const: 'AdmissionReview' },
    request: {
      type: 'object',
      required: ['uid'],
      properties: { uid: { type: 'string', minLength: 1 } },
    },
  },
};

const string = { type: 'string' };
// Objects are only required to be objects: rules read their fields defensively, and a review of a
// kind no rule judges, or in a disabled namespace, must pass whatever its content.
const kubeObject = { type: ['object', 'null'] };

const requestSchema = {
  type: 'object',
  required: ['kind', 'operation'],
  properties: {
    kind: {
      type: 'object',
      required: ['group', 'version', 'kind'],
      properties: { group: string, version: string, kind: { type: 'string', minLength: 1 } },
    },
    resource: { type: 'object', properties: { group: string, version: string, resource: string } },
    subResource: string,
    name: string,
    namespace: string,
    operation: { enum: OPERATIONS },
    userInfo: {
      type: 'object',
      properties: {
        username: string,
        uid: string,
        groups: { type: 'array', items: string },
        extra: { type: 'object', additionalProperties: { type: 'array', items: string } },
      },
    },
    object: kubeObject,
    oldObject: kubeObject,
    dryRun: { type: 'boolean' },
  },
};

// strict: false — the schemas use only standard keywords; allErrors off: the first problem is
// enough for the message and stops validation early.
const ajv = new Ajv({ allErrors: false, strict: false });
const validateEnvelope = ajv.compile(envelopeSchema);
const validateRequest = ajv.compile(requestSchema);

export type ParsedReview =
  | { outcome: 'ok'; review: AdmissionReview }
  /** no uid to answer to: HTTP 400 with this message */
  | { outcome: 'invalid'; message: string }
  /** a uid but unusable fields: answer the review with BadRequest */
  | { outcome: 'malformed'; apiVersion: ReviewApiVersion; uid: string; message: string; request: unknown };

/** `/request/userInfo/groups/0` → `request.userInfo.groups[0]` */
function fieldPath(error: ErrorObject, prefix: string): string {
  const parts = error.instancePath
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') parts.push(String(error.params['missingProperty']));
  let path = prefix;
  for (const part of parts) path += /^\d+$/.test(part) ? `[${part}]` : path === '' ? part : `.${part}`;
  return path === '' ? 'the body' : path;
}

function valueAt(root: unknown, instancePath: string): unknown {
  let node = root;
  for (const part of instancePath.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/**
 * Object contents and identity data (userInfo.extra can hold credential ids) are never echoed:
 * the message is logged and shown to the client. Their JSON type says enough.
 */
const UNQUOTED_FIELDS = /^\/(object|oldObject|userInfo)(\/|$)/;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function problem(error: ErrorObject, root: unknown): string {
  const value = valueAt(root, error.instancePath);
  const shown = UNQUOTED_FIELDS.test(error.instancePath) ? typeOf(value) : brief(value);
  const got = error.keyword === 'required' ? '' : ` (got ${shown})`;
  switch (error.keyword) {
    case 'required':
      return 'is missing';
    case 'enum':
      return `must be one of ${(error.params['allowedValues'] as unknown[]).map(String).join(', ')}${got}`;
    case 'const':
      return `must be ${brief(error.params['allowedValue'])}${got}`;
    case 'type':
      return `must be ${String(error.params['type']).replace(',', ' or ')}${got}`;
    case 'minLength':
      return 'must not be empty';
    default:
      return `${error.message ?? 'is invalid'}${got}`;
  }
}

function describe(validate: { errors?: ErrorObject[] | null }, root: unknown, prefix: string): string {
  const error = validate.errors?.[0];
  if (!error) return 'is not valid';
  return `${fieldPath(error, prefix)} ${problem(error, root)}`;
}

/** Accepts the raw body (string or Buffer: parsed here) or an already-parsed value. */
export function parseReview(body: unknown): ParsedReview {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      // plain JSON.parse: `__proto__` keys become own properties and nothing is ever merged,
      // so they are harmless data, not a reason to refuse a review
      value = JSON.parse(body.toString());
    } catch (error) {
      return { outcome: 'invalid', message: `netguard: the request body is not JSON: ${(error as Error).message}` };
    }
  }
  if (!validateEnvelope(value)) {
    const what = describe(validateEnvelope, value, '');
    return {
      outcome: 'invalid',
      message: `netguard: the request body is not an AdmissionReview: ${what}. netguard expects an admission.k8s.io/v1 (or v1beta1) AdmissionReview with request.uid, as kube-apiserver sends.`,
    };
  }
  const review = value as unknown as AdmissionReview;
  const request = review.request as unknown as Record<string, unknown>;
  if (!validateRequest(request)) {
    return {
      outcome: 'malformed',
      apiVersion: review.apiVersion,
      uid: review.request.uid,
      message: `netguard: malformed AdmissionReview: ${describe(validateRequest, request, 'request')}`,
      request,
    };
  }
  // kube-apiserver always sends userInfo; a hand-made review without one is judged as anonymous
  if (request['userInfo'] === undefined) request['userInfo'] = {};
  return { outcome: 'ok', review };
}
