// libvirt domain XML: parse, format, and the native (VMX) conversions.
export { parseDomainXml, parseDomainXmlReport, type DomainXmlReport } from './parse.js';
export { formatDomainXml, domainToXmlTree } from './format.js';
export { vmxToDomainXml, domainXmlToVmx } from './native.js';
export { VMWARE_NAMESPACE } from './namespace.js';
