import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConnectionUri } from '../../src/config.js';

describe('connection URI (libvirt ESX driver syntax)', () => {
  it('parses esx:// with defaults', () => {
    const c = parseConnectionUri('esx://esx1.example.com', 'pw');
    expect(c).toMatchObject({ scheme: 'esx', transport: 'https', host: 'esx1.example.com', port: 443, username: 'root', password: 'pw', path: [], noVerify: false, autoAnswer: false, unknown: [] });
  });

  it('parses vpx:// with user, port, path and parameters', () => {
    const c = parseConnectionUri('vpx://admin%40vsphere.local@vc:8443/Folder%201/DC1/Cluster/esx-2?no_verify=1&auto_answer=1&transport=https&bogus=1', '');
    expect(c).toMatchObject({ scheme: 'vpx', host: 'vc', port: 8443, username: 'admin@vsphere.local', path: ['Folder 1', 'DC1', 'Cluster', 'esx-2'], noVerify: true, autoAnswer: true, unknown: ['bogus'] });
    expect(c.uri).not.toContain('password');
  });

  it('uses port 80 for transport=http and accepts proxies', () => {
    const c = parseConnectionUri('esx://h/?transport=http&proxy=proxy.local:3128', '');
    expect(c.port).toBe(80);
    expect(c.proxy).toBe('http://proxy.local:3128');
  });

  it.each([
    ['not a uri', /not a valid URI/],
    ['http://host/', /scheme must be esx, vpx or gsx/],
    ['esx://h/?no_verify=yes', /no_verify must be 0 or 1/],
    ['esx://h/?auto_answer=2', /auto_answer must be 0 or 1/],
    ['esx://h/?transport=ftp', /transport must be https or http/],
    ['esx://h/dc/host', /esx:\/\/ URI has no path/],
    ['esx://root:secret@h/', /must not contain a password/],
    ['esx://h/?cacert=/nonexistent/ca.pem', /cacert: cannot read/],
    ['esx://h/?proxy=socks5://p:1080', /only http proxies/],
  ])('rejects %s with a message naming the parameter', (uri, msg) => {
    expect(() => parseConnectionUri(uri, '')).toThrow(ConfigError);
    expect(() => parseConnectionUri(uri, '')).toThrow(msg);
  });

  it('never echoes a password given in the URI', () => {
    try {
      parseConnectionUri('esx://root:Sup3rS3cret@h/', '');
    } catch (e) {
      expect((e as Error).message).not.toContain('Sup3rS3cret');
    }
  });

  it('reads a CA file that holds a PEM certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esxgate-'));
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'bad.pem'), 'hello');
    expect(parseConnectionUri(`esx://h/?cacert=${join(dir, 'ca.pem')}`, '').cacert).toContain('BEGIN CERTIFICATE');
    expect(() => parseConnectionUri(`esx://h/?cacert=${join(dir, 'bad.pem')}`, '')).toThrow(/holds no PEM certificate/);
  });
});

describe('environment', () => {
  it('has defaults and validates numbers and flags', () => {
    const c = loadConfig({ ESXGATE_URI: 'esx://h' });
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, poolSize: 4, mirror: true, tokens: [], logLevel: 'info' });
    expect(() => loadConfig({ ESXGATE_URI: 'esx://h', PORT: 'eighty' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ ESXGATE_URI: 'esx://h', ESXGATE_POOL_SIZE: '0' })).toThrow(/ESXGATE_POOL_SIZE/);
    expect(() => loadConfig({ ESXGATE_URI: 'esx://h', ESXGATE_MIRROR: 'yes' })).toThrow(/ESXGATE_MIRROR/);
    expect(() => loadConfig({})).toThrow(/ESXGATE_URI is not set/);
  });

  it('reads the password from a file and parses tokens', () => {
    const dir = mkdtempSync(join(tmpdir(), 'esxgate-'));
    writeFileSync(join(dir, 'pw'), 'from-file\n');
    const c = loadConfig({ ESXGATE_URI: 'esx://h', ESXGATE_PASSWORD: 'env', ESXGATE_PASSWORD_FILE: join(dir, 'pw'), ESXGATE_TOKENS: 'aaaaaaaaaaaaaaaaaaaa, ro:bbbbbbbbbbbbbbbbbbbb' });
    expect(c.connection.password).toBe('from-file');
    expect(c.tokens).toEqual([{ token: 'aaaaaaaaaaaaaaaaaaaa', readOnly: false }, { token: 'bbbbbbbbbbbbbbbbbbbb', readOnly: true }]);
    expect(() => loadConfig({ ESXGATE_URI: 'esx://h', ESXGATE_TOKENS: 'short' })).toThrow(/at least 16/);
    expect(() => loadConfig({ ESXGATE_URI: 'esx://h', ESXGATE_PASSWORD_FILE: '/nonexistent' })).toThrow(/ESXGATE_PASSWORD_FILE: cannot read/);
  });
});
