// Errors of the pure conversion core (domain XML, JSON definition, VMX, ESX escaping).
// One class with a stable code, so the API maps every conversion failure to a 400 problem
// without parsing messages, and the CLI prints the message without a stack trace.

export type ConversionErrorCode =
  /** The XML text is not well-formed (carries line and column). */
  | 'xml-malformed'
  /** Well-formed XML that uses an element, attribute or value esxgate does not handle (carries path). */
  | 'xml-unsupported'
  /** Well-formed XML with a missing or invalid value (carries path). */
  | 'xml-invalid'
  /** The VMX text cannot be read (bad line, unknown encoding; carries line when known). */
  | 'vmx-syntax'
  /** A VMX entry has a value libvirt's conversion rejects (carries the entry name as path). */
  | 'vmx-invalid'
  /** The definition asks for something VMX cannot express (libvirt's VIR_ERR_CONFIG_UNSUPPORTED). */
  | 'config-unsupported'
  /** The definition is inconsistent or incomplete (libvirt's VIR_ERR_INTERNAL_ERROR on input). */
  | 'config-invalid'
  /** A file referenced by the VMX does not exist (file-name callback said so). */
  | 'file-missing'
  /** A datastore path, date or escaped string is malformed. */
  | 'invalid-arg';

export interface ConversionErrorDetails {
  /** Element path (`/domain/devices/disk[2]/target`) or VMX entry name (`scsi0:0.fileName`). */
  path?: string;
  line?: number;
  column?: number;
  cause?: unknown;
}

export class ConversionError extends Error {
  override name = 'ConversionError';
  readonly path?: string;
  readonly line?: number;
  readonly column?: number;

  constructor(
    readonly code: ConversionErrorCode,
    message: string,
    details: ConversionErrorDetails = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (details.path !== undefined) this.path = details.path;
    if (details.line !== undefined) this.line = details.line;
    if (details.column !== undefined) this.column = details.column;
  }
}

export const isConversionError = (e: unknown): e is ConversionError => e instanceof ConversionError;
