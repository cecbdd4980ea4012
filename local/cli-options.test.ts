import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CliOptionError, HELP, parseCliOptions } from './cli-options.js';

const ROOT = join(import.meta.dirname, '..');

/** The long options a text names, in `--name` form (the `--` of `npm start --` excluded). */
function longOptions(text: string): Set<string> {
  return new Set([...text.matchAll(/(?<![\w-])--([a-z][a-z-]*)/g)].map((m) => `--${m[1]!}`));
}

describe('parseCliOptions', () => {
  it('gives the defaults with no arguments and no environment', () => {
    expect(parseCliOptions([], {})).toEqual({
      help: false,
      options: {
        port: 4000,
        host: '127.0.0.1',
        publicHost: undefined,
        userPoolPort: undefined,
        tls: false,
        tlsPort: undefined,
        userPoolTlsPort: undefined,
        inMemory: false,
        dataDir: undefined,
        amplifyConfig: undefined,
        envOverrides: {},
        corsOrigins: [],
        introspection: true,
        verbose: false,
      },
    });
  });

  it('takes the address for clients from --public-host or PUBLIC_HOST, the flag first', () => {
    const fromFlag = parseCliOptions(['--host', '0.0.0.0', '--public-host', '192.168.1.20'], { PUBLIC_HOST: '10.0.0.5' });
    expect(fromFlag.help === false && fromFlag.options).toMatchObject({ host: '0.0.0.0', publicHost: '192.168.1.20' });
    const fromEnv = parseCliOptions([], { PUBLIC_HOST: '10.0.0.5', HOST: '0.0.0.0' });
    expect(fromEnv.help === false && fromEnv.options).toMatchObject({ host: '0.0.0.0', publicHost: '10.0.0.5' });
  });

  it('reads ports, repeated settings and switches', () => {
    const request = parseCliOptions(
      ['--port', '0', '--user-pool-port', '5001', '--set', 'A_B=1', '--set', 'C=x=y', '--in-memory', '--verbose'],
      {},
    );
    expect(request.help === false && request.options).toMatchObject({
      port: 0,
      userPoolPort: 5001,
      envOverrides: { A_B: '1', C: 'x=y' },
      inMemory: true,
      verbose: true,
    });
  });

  it('turns on TLS with --tls or PIZZA_TLS=1, its port from --tls-port or TLS_PORT, the flag first', () => {
    const fromFlags = parseCliOptions(['--tls', '--tls-port', '443'], { TLS_PORT: '8443' });
    expect(fromFlags.help === false && fromFlags.options).toMatchObject({ tls: true, tlsPort: 443 });
    const fromEnv = parseCliOptions([], { PIZZA_TLS: '1', TLS_PORT: '8443' });
    expect(fromEnv.help === false && fromEnv.options).toMatchObject({ tls: true, tlsPort: 8443 });
    const portLeftOpen = parseCliOptions(['--tls'], {});
    expect(portLeftOpen.help === false && portLeftOpen.options).toMatchObject({
      tls: true,
      tlsPort: undefined,
      userPoolTlsPort: undefined,
    });
  });

  it("takes the user pool's TLS port from --user-pool-tls-port or USER_POOL_TLS_PORT, the flag first, and only with TLS", () => {
    const fromFlag = parseCliOptions(['--tls', '--user-pool-tls-port', '4443'], { USER_POOL_TLS_PORT: '5443' });
    expect(fromFlag.help === false && fromFlag.options).toMatchObject({ tls: true, userPoolTlsPort: 4443 });
    const fromEnv = parseCliOptions(['--tls'], { USER_POOL_TLS_PORT: '5443' });
    expect(fromEnv.help === false && fromEnv.options).toMatchObject({ userPoolTlsPort: 5443 });
    expect(() => parseCliOptions(['--user-pool-tls-port', '4443'], {})).toThrow(
      '--user-pool-tls-port (or USER_POOL_TLS_PORT) needs --tls (or PIZZA_TLS=1)',
    );
    expect(() => parseCliOptions(['--tls', '--user-pool-tls-port', '70000'], {})).toThrow(/--user-pool-tls-port must be a whole number/);
  });

  it('refuses a TLS port without TLS, and a bad TLS port', () => {
    expect(() => parseCliOptions(['--tls-port', '4443'], {})).toThrow('--tls-port (or TLS_PORT) needs --tls (or PIZZA_TLS=1)');
    expect(() => parseCliOptions([], { TLS_PORT: '4443' })).toThrow(CliOptionError);
    expect(() => parseCliOptions(['--tls', '--tls-port', '70000'], {})).toThrow(
      /--tls-port must be a whole number from 0 to 65535, got "70000"/,
    );
  });

  it('takes browser origins from repeated --cors-origin, as a browser sends them', () => {
    const request = parseCliOptions(['--cors-origin', 'http://localhost:5173/', '--cors-origin', 'HTTPS://Example.COM:443'], {});
    expect(request.help === false && request.options.corsOrigins).toEqual(['http://localhost:5173', 'https://example.com']);
    for (const bad of ['localhost:5173', 'http://localhost:5173/app', 'ftp://example.com', '*'])
      expect(() => parseCliOptions(['--cors-origin', bad], {})).toThrow(/--cors-origin takes an origin/);
  });

  it('turns introspection off with --no-introspection (as stage prod)', () => {
    const request = parseCliOptions(['--no-introspection'], {});
    expect(request.help === false && request.options.introspection).toBe(false);
  });

  it('answers a help request, short or long', () => {
    expect(parseCliOptions(['--help'], {})).toEqual({ help: true });
    expect(parseCliOptions(['-h', '--port', 'nonsense'], {})).toEqual({ help: true });
  });

  it('refuses a bad port, a malformed setting and an unknown option with a message for the user', () => {
    expect(() => parseCliOptions(['--port', 'eighty'], {})).toThrow(/--port must be a whole number from 0 to 65535, got "eighty"/);
    expect(() => parseCliOptions([], { USER_POOL_PORT: '70000' })).toThrow(CliOptionError);
    expect(() => parseCliOptions(['--set', 'lower=1'], {})).toThrow(/--set takes NAME=VALUE/);
    expect(() => parseCliOptions(['--nope'], {})).toThrow(CliOptionError);
  });
});

describe('npm start -- --help', () => {
  it('is answered before the stack is loaded: cli.ts imports nothing else statically', () => {
    const cli = readFileSync(join(ROOT, 'local', 'cli.ts'), 'utf8');
    const staticImports = [...cli.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    expect(staticImports.sort()).toEqual(['./cli-options.js', 'node:path']);
    const options = readFileSync(join(ROOT, 'local', 'cli-options.ts'), 'utf8');
    expect([...options.matchAll(/^import\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1])).toEqual(['node:util']);
  });

  it('names every option the README option table lists, and the table every option', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('| option | env | default | meaning |'));
    const rows = table.slice(0, table.indexOf('\n\n'));
    const documented = new Set([...rows.matchAll(/^\| `(--[a-z-]+)/gm)].map((m) => m[1]!));
    const helped = longOptions(HELP.slice(HELP.indexOf('Options:')));
    helped.delete('--help');
    expect([...documented].sort()).toEqual([...helped].sort());
  });
});

describe('README quick start', () => {
  it('names the Node version package.json engines asks for', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const pkg: unknown = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const engines = typeof pkg === 'object' && pkg !== null && 'engines' in pkg ? pkg.engines : undefined;
    const node = typeof engines === 'object' && engines !== null && 'node' in engines ? engines.node : undefined;
    expect(node).toBe('>=22');
    const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('### What `npm start` gives you'));
    expect([...quickStart.matchAll(/Node(?:\.js)? ≥ (\d+)/g)].map((m) => m[1])).toEqual(['22']);
  });
});
