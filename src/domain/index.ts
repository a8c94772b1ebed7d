// The domain definition model (JSON form of libvirt's domain XML) and conversion errors.
export { DomainDefinition } from './schema.js';
export * from './model.js';
export { ConversionError, isConversionError, type ConversionErrorCode } from './errors.js';
