// The one seam that moves SOAP over HTTP: an undici Pool with keep-alive, TLS verified unless the
// user opted out (no_verify), an optional CA file and proxy. Session cookies are the caller's.
import { Pool, ProxyAgent, type Dispatcher, errors as undiciErrors } from 'undici';
import { ViTransportError } from '../errors.js';
import { decodeResponse } from './decode.js';
import { encodeRequest } from './encode.js';

export interface TransportOptions {
  /** https://host:port (no path). */
  origin: string;
  /** Path of the SOAP endpoint, normally /sdk. */
  path?: string;
  noVerify?: boolean;
  /** PEM CA certificate(s) to trust in addition to the system store. */
  ca?: string;
  proxy?: string;
  connections?: number;
  /** Per-call timeout in ms (headers and body), default 60 s. */
  timeoutMs?: number;
  /** Largest response accepted, default 256 MiB. */
  maxResponseBytes?: number;
  /** Observes every call (metrics). */
  onCall?: (method: string, ms: number, fault: string | null) => void;
}

export interface CallOptions {
  cookie?: string;
  signal?: AbortSignal;
  soapAction?: string;
  timeoutMs?: number;
}

export interface CallResult {
  value: unknown;
  setCookie?: string;
}

export class SoapTransport {
  readonly dispatcher: Dispatcher;
  readonly origin: string;
  readonly path: string;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: TransportOptions) {
    this.origin = opts.origin;
    this.path = opts.path ?? '/sdk';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.maxBytes = opts.maxResponseBytes ?? 256 * 1024 * 1024;
    // The call timeout also bounds connecting (TCP + TLS handshake): a host that drops packets
    // would otherwise hold every request for undici's own 10 s connect timeout first.
    const connectTimeout = Math.min(this.timeoutMs, 10_000);
    const connect = { rejectUnauthorized: !opts.noVerify, timeout: connectTimeout, ...(opts.ca ? { ca: opts.ca } : {}) };
    const common = { connections: opts.connections ?? 16, keepAliveTimeout: 30_000, pipelining: 1 };
    this.dispatcher = opts.proxy
      ? new ProxyAgent({ uri: opts.proxy, requestTls: connect, proxyTls: { timeout: connectTimeout }, ...common })
      : opts.origin.startsWith('https:')
        ? new Pool(opts.origin, { connect, ...common })
        : new Pool(opts.origin, { connect: { timeout: connectTimeout }, ...common });
  }

  /** Performs one vim25 call; throws ViFault for SOAP faults and ViTransportError otherwise. */
  async call(method: string, params: Record<string, unknown>, o: CallOptions = {}): Promise<CallResult> {
    const started = performance.now();
    let fault: string | null = null;
    try {
      const res = await this.send(method, encodeRequest(method, params), o);
      const value = decodeResponse(method, res.text);
      return { value, setCookie: res.setCookie };
    } catch (e) {
      fault = e instanceof ViTransportError ? `transport:${e.kind}` : ((e as { fault?: string }).fault ?? 'error');
      throw e;
    } finally {
      this.opts.onCall?.(method, performance.now() - started, fault);
    }
  }

  private async send(method: string, body: string, o: CallOptions): Promise<{ text: string; setCookie?: string }> {
    const timeout = o.timeoutMs ?? this.timeoutMs;
    const headers: Record<string, string> = {
      'content-type': 'text/xml; charset=utf-8',
      soapaction: o.soapAction ?? 'urn:vim25/7.0',
    };
    if (o.cookie) headers.cookie = o.cookie;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.dispatcher.request({
        origin: this.origin,
        path: this.path,
        method: 'POST',
        headers,
        body,
        signal: o.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
      });
    } catch (e) {
      throw transportError(e, method, this.origin);
    }
    try {
      const ctype = String(res.headers['content-type'] ?? '');
      if ((res.statusCode !== 200 && res.statusCode !== 500) || !/xml/i.test(ctype)) {
        await res.body.dump({ limit: 64 * 1024 }).catch(() => {});
        throw new ViTransportError('protocol', `${method}: ESX answered HTTP ${res.statusCode} (${ctype || 'no content type'})`);
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > this.maxBytes) {
        res.body.destroy();
        throw new ViTransportError('too-large', `${method}: response of ${declared} bytes exceeds the limit of ${this.maxBytes}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxBytes) {
          res.body.destroy();
          throw new ViTransportError('too-large', `${method}: response exceeds the limit of ${this.maxBytes} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      const sc = res.headers['set-cookie'];
      return { text: Buffer.concat(chunks, size).toString('utf8'), setCookie: Array.isArray(sc) ? sc.join('\n') : sc };
    } catch (e) {
      if (e instanceof ViTransportError) throw e;
      throw transportError(e, method, this.origin);
    }
  }

  /** Raw HTTP to the host (the /folder file endpoint, /sdk/vimServiceVersions.xml). */
  request(opts: Omit<Dispatcher.RequestOptions, 'origin'>): Promise<Dispatcher.ResponseData> {
    return this.dispatcher.request({ origin: this.origin, ...opts });
  }

  async close(): Promise<void> {
    await this.dispatcher.close().catch(() => {});
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_UNTRUSTED',
]);

/** Maps socket, TLS and undici errors to a transport error that never carries request data. */
export function transportError(e: unknown, method: string, origin: string): ViTransportError {
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = err.code ?? err.cause?.code ?? '';
  if (err.name === 'AbortError' || code === 'ABORT_ERR') return new ViTransportError('aborted', `${method}: aborted`, { cause: e });
  if (TLS_CODES.has(code)) {
    return new ViTransportError(
      'tls',
      `TLS verification of ${origin} failed (${code}); trust its certificate with ?cacert=FILE or opt out with ?no_verify=1`,
      { cause: e },
    );
  }
  if (e instanceof undiciErrors.HeadersTimeoutError || e instanceof undiciErrors.BodyTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return new ViTransportError('timeout', `${method}: ${origin} did not answer in time`, { cause: e });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EAI_AGAIN') {
    return new ViTransportError('unreachable', `${origin} is unreachable (${code})`, { cause: e });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return new ViTransportError('reset', `${method}: connection to ${origin} was closed (${code})`, { cause: e });
  }
  return new ViTransportError('protocol', `${method}: ${err.message ?? String(e)}`, { cause: e });
}


