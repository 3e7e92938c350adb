import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, writeFile, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface RedisHandle {
  url: string;
  how: 'REDIS_URL' | 'redis-server' | 'testcontainers';
  stop(): Promise<void>;
}

export function redisServerOnPath(): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'redis-server');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.setTimeout(500);
    sock.on('connect', () => sock.write('PING\r\n'));
    sock.on('data', (d) => {
      resolve(d.toString().startsWith('+PONG'));
      sock.destroy();
    });
    sock.on('error', () => resolve(false));
    sock.on('timeout', () => {
      resolve(false);
      sock.destroy();
    });
  });
}

export interface StartRedisOptions {
  dir: string;
  /** AOF persistence: on for the pipeline, off for throwaway test servers. */
  appendOnly?: boolean;
  port?: number;
}

/**
 * Starts a redis-server child with settings BullMQ needs (noeviction) and, for the pipeline,
 * AOF persistence in `dir`. A server left over from a crashed run of the same dir is stopped first.
 */
export async function startRedisServer(options: StartRedisOptions): Promise<RedisHandle> {
  const bin = redisServerOnPath();
  if (!bin) throw new Error('redis-server is not on PATH');
  await mkdir(options.dir, { recursive: true });
  const pidFile = path.join(options.dir, 'modpipe-redis.pid');
  const running = await runningServer(pidFile);
  // Another modpipe process on this machine already serves this data directory: share it.
  if (running) return { url: `redis://127.0.0.1:${running.port}`, how: 'redis-server', stop: async () => undefined };
  await stopStale(pidFile);
  const port = options.port ?? (await freePort());
  const args = [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', options.dir, '--save', '',
    '--appendonly', options.appendOnly === false ? 'no' : 'yes', '--appendfsync', 'everysec',
    '--maxmemory-policy', 'noeviction', '--daemonize', 'no', '--protected-mode', 'yes',
  ];
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start on port ${port}: ${stderr.trim() || 'no output'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await writeFile(pidFile, `${child.pid}:${port}`);
  return {
    url: `redis://127.0.0.1:${port}`,
    how: 'redis-server',
    stop: async () => {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM'); // redis flushes the AOF on SIGTERM
        await Promise.race([done, new Promise((r) => setTimeout(r, 5_000))]);
        if (!exited) child.kill('SIGKILL');
      }
      await rm(pidFile, { force: true });
    },
  };
}

async function readPidFile(pidFile: string): Promise<{ pid: number; port: number } | null> {
  const [pid, port] = (await readFile(pidFile, 'utf8').catch(() => '')).split(':').map(Number);
  return pid && port ? { pid, port } : null;
}

export async function runningServer(pidFile: string): Promise<{ port: number } | null> {
  const rec = await readPidFile(pidFile);
  if (!rec) return null;
  try {
    process.kill(rec.pid, 0);
  } catch {
    return null;
  }
  return (await ping(rec.port)) ? { port: rec.port } : null;
}

async function stopStale(pidFile: string): Promise<void> {
  const pid = (await readPidFile(pidFile))?.pid;
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 50; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // gone: nothing to stop
  }
}
