// Node capabilities and memory against esxsim.
import { describe, expect, it } from 'vitest';
import { useSimGateway } from '../../helpers/sim-gateway.js';

const ctx = useSimGateway({ esx: true, vms: 0 }, { listen: false });

describe('node', () => {
  it('reports capabilities as JSON: x86_64 host, hvm i686 and x86_64 guests of type vmware', async () => {
    const r = await ctx.gw.app.inject('/v1/node/capabilities');
    expect(r.statusCode).toBe(200);
    const c = r.json();
    expect(c.host.cpu.arch).toBe('x86_64');
    expect(c.host.cpu.model).toMatch(/Intel/);
    expect(c.guests).toEqual([
      { osType: 'hvm', arch: 'i686', wordsize: 32, domainTypes: ['vmware'] },
      { osType: 'hvm', arch: 'x86_64', wordsize: 64, domainTypes: ['vmware'] },
    ]);
    const node = (await ctx.gw.app.inject('/v1/node')).json();
    expect(c.host.uuid).toBe(node.uuid);
  });

  it('reports capabilities as libvirt XML with Accept: application/xml', async () => {
    const r = await ctx.gw.app.inject({ url: '/v1/node/capabilities', headers: { accept: 'application/xml' } });
    expect(r.headers['content-type']).toMatch(/application\/xml/);
    expect(r.body).toMatch(/^<capabilities>\n  <host>/);
    expect(r.body).toContain('<arch>x86_64</arch>');
    expect(r.body).toContain("<arch name='i686'>\n      <wordsize>32</wordsize>\n      <domain type='vmware'/>");
    expect(r.body).toContain("<arch name='x86_64'>\n      <wordsize>64</wordsize>\n      <domain type='vmware'/>");
    expect(r.body).toContain('<uri_transport>vpxmigr</uri_transport>');
  });

  it('reports memory in KiB: total from the hardware, free = total - quickStats usage', async () => {
    const m = (await ctx.gw.app.inject('/v1/node/memory')).json();
    const node = (await ctx.gw.app.inject('/v1/node')).json();
    expect(m.total).toBe(node.memory);
    expect(m.used).toBeGreaterThan(0);
    expect(m.free + m.used).toBe(m.total);
  });
});
