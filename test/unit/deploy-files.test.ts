// The container files, checked without a Docker engine: both Dockerfiles lint clean
// (dockerfile-utils) and have the required shape; docker-compose.yml parses and wires the gateway
// to the simulator with a configuration the gateway accepts.
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

function dockerfile(path: string) {
  const text = read(path);
  const doc = DockerfileParser.parse(text);
  const ins = doc.getInstructions().map((i) => ({
    kw: i.getKeyword(),
    args: i.getArgumentsContent() ?? '',
    from: (i as { getFlags?: () => Array<{ getName(): string }> }).getFlags?.().some((f) => f.getName() === 'from') ?? false,
  }));
  // Instructions of the last stage (what runs).
  const lastFrom = ins.map((i) => i.kw).lastIndexOf('FROM');
  return { text, doc, ins, final: ins.slice(lastFrom) };
}

describe('Dockerfile (gateway)', () => {
  const d = dockerfile('Dockerfile');

  it('lints clean', () => {
    expect(validate(d.text)).toEqual([]);
  });

  it('builds in one stage and runs production dependencies only in another', () => {
    expect(d.doc.getFROMs().length).toBeGreaterThanOrEqual(2);
    const runs = d.ins.filter((i) => i.kw === 'RUN').map((i) => i.args);
    expect(runs.some((r) => /npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs.some((r) => r.includes('npm run build'))).toBe(true);
    expect(runs.some((r) => r.includes('npm ci --omit=dev'))).toBe(true);
    const arg = d.ins.find((i) => i.kw === 'ARG' && i.args.startsWith('NODE_IMAGE='));
    expect(arg?.args).toMatch(/^NODE_IMAGE=node:20[-.\w]*$/);
    // The final stage copies the build output and the production node_modules, not the sources.
    const copies = d.final.filter((i) => i.kw === 'COPY').map((i) => i.args);
    expect(copies.some((c) => c.includes('dist'))).toBe(true);
    expect(copies.some((c) => c.includes('node_modules'))).toBe(true);
    expect(copies.some((c) => /(^|\s)src(\s|$)/.test(c))).toBe(false);
  });

  it('copies only files that exist', () => {
    const local = d.ins.filter((i) => i.kw === 'COPY' && !i.from);
    expect(local.length).toBeGreaterThan(0);
    for (const c of local) {
      const sources = c.args.split(/\s+/).slice(0, -1);
      for (const s of sources) expect(existsSync(join(ROOT, s)), s).toBe(true);
    }
  });

  it('runs as a non-root user, listens on 0.0.0.0:8080 and checks /healthz with node', () => {
    const user = d.final.filter((i) => i.kw === 'USER').pop();
    expect(user?.args).toBeDefined();
    expect(user!.args).not.toMatch(/^(root|0)(:|$)/);
    expect(d.final.find((i) => i.kw === 'EXPOSE')?.args).toBe('8080');
    expect(d.final.find((i) => i.kw === 'ENV')?.args).toMatch(/HOST=0\.0\.0\.0/);
    const hc = d.final.find((i) => i.kw === 'HEALTHCHECK')?.args ?? '';
    expect(hc).toMatch(/CMD \["node"/);
    expect(hc).toContain('/healthz');
    expect(d.final.find((i) => i.kw === 'ENTRYPOINT')?.args).toContain('dist/cli.js');
  });
});

describe('.dockerignore', () => {
  it('keeps local state out of the build context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['node_modules', 'dist', '.git', '.cache']) expect(lines).toContain(p);
  });
});

describe('test/esxsim/Dockerfile (simulator)', () => {
  const d = dockerfile('test/esxsim/Dockerfile');

  it('lints clean', () => {
    expect(validate(d.text)).toEqual([]);
  });

  it('builds from the same Debian packages as scripts/esxsim-build.sh, offline in GOPATH mode', () => {
    expect(d.doc.getFROMs()[0]!.getImage()).toBe('debian:bookworm');
    const pkgs = /^PACKAGES=\(([^)]*)\)/m.exec(read('scripts/esxsim-build.sh'))![1]!.trim().split(/\s+/);
    const install = d.ins.find((i) => i.kw === 'RUN' && i.args.includes('apt-get install'))?.args ?? '';
    for (const p of pkgs) expect(install).toContain(p);
    const build = d.ins.find((i) => i.kw === 'RUN' && i.args.includes('go build'))?.args ?? '';
    for (const env of ['GO111MODULE=off', 'GOPROXY=off', 'GOPATH=/usr/share/gocode']) expect(build).toContain(env);
    expect(readdirSync(join(ROOT, 'test/esxsim')).some((f) => f.endsWith('.go'))).toBe(true);
  });

  it('runs as a non-root user on 0.0.0.0:8989 with a healthcheck', () => {
    const user = d.final.filter((i) => i.kw === 'USER').pop()?.args ?? 'root';
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    expect(d.final.find((i) => i.kw === 'HEALTHCHECK')?.args).toContain('8989');
    expect(d.final.find((i) => i.kw === 'CMD')?.args).toContain('0.0.0.0:8989');
  });
});

// `docker compose config` (or Debian's docker-compose) validates the file without an engine, when installed.
const composeCli = [['docker', 'compose'], ['docker-compose']].find((c) => spawnSync(c[0]!, [...c.slice(1), 'version'], { stdio: 'ignore' }).status === 0);

describe('docker-compose.yml', () => {
  it.skipIf(!composeCli)(`validates with ${composeCli?.join(' ') ?? 'docker compose (not installed)'}`, () => {
    const r = spawnSync(composeCli![0]!, [...composeCli!.slice(1), '-f', 'docker-compose.yml', 'config', '-q'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  type Service = {
    build?: { context: string };
    command?: string[];
    environment?: Record<string, string>;
    ports?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
  };
  const compose = parseYaml(read('docker-compose.yml')) as { services: Record<string, Service> };
  const { esxsim, esxgate } = compose.services;

  it('has the gateway and the simulator, each built from a Dockerfile that exists', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['esxgate', 'esxsim']);
    expect(existsSync(join(ROOT, esxgate!.build!.context, 'Dockerfile'))).toBe(true);
    expect(existsSync(join(ROOT, esxsim!.build!.context, 'Dockerfile'))).toBe(true);
  });

  it('starts the gateway once the simulator is healthy, and publishes 8080', () => {
    expect(esxsim!.healthcheck?.test[0]).toBe('CMD');
    expect(esxgate!.healthcheck?.test.join(' ')).toContain('/healthz');
    expect(esxgate!.depends_on).toEqual({ esxsim: { condition: 'service_healthy' } });
    expect(esxgate!.ports).toContain('8080:8080');
  });

  it('configures the gateway with values it accepts, pointing at the simulator', () => {
    const env = esxgate!.environment!;
    const config = loadConfig({ ...env });
    expect(config.connection).toMatchObject({ scheme: 'esx', host: 'esxsim', port: 8989, username: 'user', password: 'pass', noVerify: true });
    expect(config.host).toBe('0.0.0.0');
    expect(config.port).toBe(8080);
    expect(config.tokens.length).toBeGreaterThan(0);
    // The simulator listens where the URI points, with the same credentials.
    const cmd = esxsim!.command!.join(' ');
    expect(cmd).toContain('-l 0.0.0.0:8989');
    expect(cmd).toContain('-username user');
    expect(cmd).toContain('-password pass');
    expect(cmd).toContain('-esx');
  });
});
