// Test helper: this test file's own simulator and a gateway against it, started in beforeAll and
// closed in afterAll (a separate module from gateway.ts, which bench/ imports outside vitest).
//
//   const ctx = useSimGateway({ esx: true, vms: 1 });
//   it('...', async () => { await ctx.gw.app.inject('/v1/node'); });
import { afterAll, beforeAll } from 'vitest';
import { type Sim, type StartSimOptions, startSim } from './esxsim.js';
import { type Gateway, type GatewayOptions, startGateway } from './gateway.js';

export interface SimGateway {
  /** Set once beforeAll has run. */
  sim: Sim;
  gw: Gateway;
  /** gw.url: http://127.0.0.1:PORT ('' with listen: false). */
  url: string;
}

/** Registers beforeAll/afterAll hooks in the calling scope; a new simulator for every call. */
export function useSimGateway(simOpts: StartSimOptions = {}, gatewayOpts: GatewayOptions = {}): SimGateway {
  const ctx = {} as SimGateway;
  beforeAll(async () => {
    ctx.sim = await startSim(simOpts);
    ctx.gw = await startGateway(ctx.sim, gatewayOpts);
    ctx.url = ctx.gw.url;
  });
  afterAll(async () => {
    await ctx.gw?.close();
    await ctx.sim?.stop();
  });
  return ctx;
}
