/** libvirt's VMware domain XML namespace (datacenterpath, moref). */
export const VMWARE_NAMESPACE = 'http://libvirt.org/schemas/domain/vmware/1.0';
