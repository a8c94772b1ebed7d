// VMX: parse and format VMX files, and convert them to and from the domain model (pure).
export { VmxConfig, type VmxEntry } from './config.js';
export { parseVmx, parseVmxText, formatVmx, sniffVmxEncoding } from './text.js';
export { vmxToDomain } from './to-domain.js';
export { domainToVmx } from './from-domain.js';
export type { VmxToDomainOptions, DomainToVmxOptions } from './options.js';
export {
  createFileNameMapper,
  harnessFileNames,
  harnessIsMissing,
  type DatastoreInfo,
  type FileNameContext,
  type FileNameOptions,
  type FormatFileName,
  type ParseFileName,
} from './file-names.js';
