// Errors of the VI layer. Drivers map them to stable API codes (src/drivers/errors.ts).
import { isSubtype } from './soap/schema.js';

export class ViError extends Error {
  override name = 'ViError';
}

/** A SOAP fault from ESX/vCenter, carrying the vim25 fault type name (e.g. InvalidPowerState). */
export class ViFault extends ViError {
  override name = 'ViFault';
  constructor(
    /** vim25 fault type, e.g. "NotAuthenticated"; "ServerFaultCode"-only faults give "SystemError". */
    readonly fault: string,
    readonly faultString: string,
    /** The decoded fault object (its fields), when the server sent a detail. */
    readonly detail: Record<string, unknown> = {},
    readonly method?: string,
  ) {
    super(faultString || fault);
  }
  /** Like govmomi's fault.Is: true for the fault type or any of its base types. */
  is(type: string): boolean {
    return isSubtype(this.fault, type);
  }
}

export type TransportErrorKind = 'unreachable' | 'timeout' | 'tls' | 'reset' | 'protocol' | 'too-large' | 'aborted';

/** ESX could not be reached or answered something that is not a SOAP message. */
export class ViTransportError extends ViError {
  override name = 'ViTransportError';
  constructor(
    readonly kind: TransportErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A value that cannot be put on the wire (wrong shape, characters XML 1.0 cannot carry). */
export class ViEncodeError extends ViError {
  override name = 'ViEncodeError';
}

export const isFault = (e: unknown, type?: string): e is ViFault =>
  e instanceof ViFault && (type === undefined || e.is(type));
