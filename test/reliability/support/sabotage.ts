// Deliberate breakage, to prove each scenario fails when its invariant is broken (issue 7: "check
// by breaking it once locally"). Loaded as a vitest setup file; does nothing unless
// ESXGATE_SABOTAGE names one or more of the faults below (comma-separated), e.g.
//   ESXGATE_SABOTAGE=relogin npx vitest run --config vitest.reliability.config.ts upstream-restart
// Patches prototypes and shared tables at runtime, so src/ stays untouched.
import { Pool } from 'undici';
import { ERROR_CODES } from '../../../src/drivers/errors.js';
import { REDACT_PATHS } from '../../../src/logger.js';
import { ViFault } from '../../../src/vi/errors.js';
import { SessionPool } from '../../../src/vi/session-pool.js';
import { SoapTransport } from '../../../src/vi/soap/transport.js';

const wanted = new Set((process.env.ESXGATE_SABOTAGE ?? '').split(',').filter(Boolean));
type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

if (wanted.has('relogin')) {
  // A pool that never logs in again after NotAuthenticated (scenarios 1, 2).
  const proto = SessionPool.prototype as Any;
  proto.invoke = async function (this: Any, s: Any, method: string, params: Record<string, unknown>, o: Any = {}) {
    if (!s.cookie) await this.login(s, o.signal);
    return (await this.transport.call(method, params, { soapAction: this.opts.soapAction, ...o, cookie: s.cookie })).value;
  };
}

if (wanted.has('leak')) {
  // Every login also opens a session that is never used nor logged out (scenarios 1, 2, 8).
  const proto = SessionPool.prototype as Any;
  const login = proto.login;
  proto.login = async function (this: Any, s: Any, signal?: AbortSignal) {
    await this.transport.call('Login', { _this: this.sessionManager, userName: this.creds.username, password: this.creds.password }, { soapAction: this.opts.soapAction, signal }).catch(() => {});
    return login.call(this, s, signal);
  };
}

if (wanted.has('status')) {
  // Upstream problems become 500s (scenarios 1, 3, 4).
  for (const k of ['upstream-unavailable', 'upstream-error', 'operation-timeout', 'upstream-tls'] as const) (ERROR_CODES as Any)[k] = 500;
}

if (wanted.has('tls')) {
  // Certificates are not verified whatever the URI says (scenario 7).
  const proto = SoapTransport.prototype as Any;
  const send = proto.send;
  proto.send = function (this: Any, ...args: unknown[]) {
    if (!this.__sabotaged && this.origin.startsWith('https:')) {
      this.__sabotaged = true;
      this.dispatcher = new Pool(this.origin, { connect: { rejectUnauthorized: false } });
    }
    return send.apply(this, args);
  };
}

if (wanted.has('sockets')) {
  // A new connection pool per call, never closed: keep-alive sockets pile up (scenario 3).
  const proto = SoapTransport.prototype as Any;
  const send = proto.send;
  proto.send = function (this: Any, ...args: unknown[]) {
    this.dispatcher = new Pool(this.origin, { connect: { rejectUnauthorized: false }, keepAliveTimeout: 600_000 });
    return send.apply(this, args);
  };
}

if (wanted.has('retain')) {
  // Every failed call is kept forever, with its request and a 64 KiB buffer (scenarios 3, 4).
  const kept: unknown[] = [];
  (globalThis as Any).__sabotageKept = kept;
  const proto = SoapTransport.prototype as Any;
  const call = proto.call;
  proto.call = async function (this: Any, ...args: unknown[]) {
    try {
      return await call.apply(this, args);
    } catch (e) {
      kept.push({ e, args, pad: Buffer.alloc(64 * 1024, 1).toString('latin1') });
      throw e;
    }
  };
}

if (wanted.has('redact')) {
  // No log redaction (scenario 6).
  REDACT_PATHS.splice(0);
}

if (wanted.has('fault-text')) {
  // Faults carry the request (as a careless SOAP layer might): secrets reach problem details (scenario 6).
  const proto = SoapTransport.prototype as Any;
  const call = proto.call;
  proto.call = async function (this: Any, method: string, params: Record<string, unknown>, o: Any = {}) {
    try {
      return await call.call(this, method, params, o);
    } catch (e) {
      if (e instanceof ViFault) throw new ViFault(e.fault, `${e.faultString} (request ${JSON.stringify(params)}, cookie ${o.cookie})`, e.detail, e.method);
      throw e;
    }
  };
}

if (wanted.has('no-drain')) {
  // SIGTERM exits at once, as a server without graceful shutdown does (scenario 8; applies to the
  // spawned server, which loads this file through --import when ESXGATE_SABOTAGE is set).
  process.prependListener('SIGTERM', () => process.exit(0));
}

if (wanted.size) process.stderr.write(`reliability: SABOTAGE active: ${[...wanted].join(', ')}\n`);
