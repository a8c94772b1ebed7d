// Stable error codes (named after libvirt's virErrorNumber) and their HTTP status. The VI layer
// raises faults with their vim25 names; drivers turn them into ApiErrors; one Fastify error
// handler writes application/problem+json.
import { ViEncodeError, ViFault, ViTransportError } from '../vi/errors.js';

export const ERROR_CODES = {
  'invalid-arg': 400,
  'xml-error': 400,
  'config-unsupported': 400,
  'auth-required': 401,
  'operation-denied': 403,
  'not-found': 404,
  'no-domain': 404,
  'no-domain-snapshot': 404,
  'no-network': 404,
  'no-interface': 404,
  'no-storage-pool': 404,
  'no-storage-vol': 404,
  'no-operation': 404,
  'method-not-allowed': 405,
  'not-acceptable': 406,
  'operation-invalid': 409,
  'dom-exist': 409,
  'operation-blocked': 409,
  'question-pending': 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'range-not-satisfiable': 416,
  'operation-unsupported': 422,
  'rate-limited': 429,
  'internal-error': 500,
  'auth-failed': 502,
  'operation-failed': 502,
  'upstream-error': 502,
  'upstream-tls': 502,
  'upstream-unavailable': 503,
  'operation-timeout': 504,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extra: { fault?: string; [k: string]: unknown } = {},
  ) {
    super(detail);
    this.status = ERROR_CODES[code];
  }
}

/** Fault name -> code, when no driver-specific mapping applies. Base types are walked. */
const FAULTS: Array<[string, ErrorCode]> = [
  ['InvalidLogin', 'auth-failed'],
  ['NotAuthenticated', 'auth-failed'],
  ['NoPermission', 'operation-denied'],
  ['RestrictedVersion', 'operation-denied'],
  ['InvalidPowerState', 'operation-invalid'],
  ['TaskInProgress', 'operation-invalid'],
  ['InvalidState', 'operation-invalid'],
  ['ToolsUnavailable', 'operation-invalid'],
  ['DuplicateName', 'dom-exist'],
  ['AlreadyExists', 'dom-exist'],
  ['FileAlreadyExists', 'dom-exist'],
  ['ManagedObjectNotFound', 'not-found'],
  ['FileNotFound', 'not-found'],
  ['NotFound', 'not-found'],
  ['InvalidArgument', 'invalid-arg'],
  ['InvalidName', 'invalid-arg'],
  ['InvalidDatastorePath', 'invalid-arg'],
  ['InvalidRequest', 'invalid-arg'],
  ['NotSupported', 'operation-unsupported'],
  ['NotImplemented', 'operation-unsupported'],
  ['RequestCanceled', 'operation-failed'],
  ['Timedout', 'operation-timeout'],
];

/** Maps any error from the VI layer to an ApiError; `overrides` lets a driver name the object. */
export function fromVi(e: unknown, overrides: Partial<Record<string, [ErrorCode, string]>> = {}): ApiError | unknown {
  if (e instanceof ApiError) return e;
  if (e instanceof ViFault) {
    for (const [fault, spec] of Object.entries(overrides)) {
      if (spec && e.is(fault)) return new ApiError(spec[0], spec[1], { fault: e.fault });
    }
    const code = FAULTS.find(([f]) => e.is(f))?.[1] ?? 'operation-failed';
    const detail = code === 'auth-failed' ? `ESX rejected the gateway's credentials: ${e.faultString || e.fault}` : e.faultString || `ESX answered with fault ${e.fault}`;
    return new ApiError(code, detail, { fault: e.fault });
  }
  if (e instanceof ViTransportError) {
    switch (e.kind) {
      case 'unreachable':
        return new ApiError('upstream-unavailable', e.message);
      case 'timeout':
        return new ApiError('operation-timeout', e.message);
      case 'tls':
        return new ApiError('upstream-tls', e.message);
      case 'aborted':
        return new ApiError('upstream-unavailable', e.message);
      default:
        return new ApiError('upstream-error', e.message);
    }
  }
  if (e instanceof ViEncodeError) return new ApiError('invalid-arg', e.message);
  return e;
}

/** Runs `fn`, mapping VI errors to ApiErrors. */
export async function mapVi<T>(fn: () => Promise<T>, overrides?: Partial<Record<string, [ErrorCode, string]>>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromVi(e, overrides);
  }
}
