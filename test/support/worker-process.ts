import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/modpipe.js', import.meta.url));

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything the process printed so far (pino JSON lines and any stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  exited: Promise<number | string>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * Starts `modpipe worker <kind>` as a real child process and resolves once it logged that it
 * started. The env must carry DATABASE_URL and REDIS_URL: worker processes share the record.
 */
export async function startWorkerProcess(kind: 'ingest' | 'classify' | 'takedown', env: Record<string, string>, readyTimeoutMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', kind], {
    env: { ...process.env, LOG_LEVEL: 'info', WORKER_HTTP_PORT: '-1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const deadline = Date.now() + readyTimeoutMs;
  while (!out.includes('"msg":"worker started"')) {
    const ended = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
    if (ended !== null) throw new Error(`worker ${kind} exited (${String(ended)}) before it started:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`worker ${kind} did not start within ${readyTimeoutMs} ms:\n${out}`);
    }
  }
  return { child, output: () => out, exited, kill: (s) => child.kill(s) };
}
