// virsh domxml-from-native / domxml-to-native for 'vmware-vmx': the two conversions in one call.
import type { DomainDefinition } from '../domain/model.js';
import type { DomainToVmxOptions, VmxToDomainOptions } from '../vmx/options.js';
import { domainToVmx } from '../vmx/from-domain.js';
import { vmxToDomain } from '../vmx/to-domain.js';
import { formatDomainXml } from './format.js';
import { parseDomainXml } from './parse.js';

/** VMX (text, or bytes honouring '.encoding') -> libvirt domain XML. */
export const vmxToDomainXml = (vmx: string | Uint8Array, options: VmxToDomainOptions = {}): string =>
  formatDomainXml(vmxToDomain(vmx, options));

/** libvirt domain XML (or a definition) -> VMX text for options.virtualHW. */
export const domainXmlToVmx = (xml: string | DomainDefinition, options: DomainToVmxOptions): string =>
  domainToVmx(typeof xml === 'string' ? parseDomainXml(xml) : xml, options);
