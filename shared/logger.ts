import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** Write the JSON log here (created with its folder); warnings and errors still reach stderr. */
  file?: string;
}

/** One JSON logger per process; children carry `component` and, per job, `trace` ids. */
export function createLogger(level: string, base: Record<string, unknown> = {}, options: LoggerOptions = {}): Logger {
  const settings = { level, base: { pid: process.pid, ...base }, timestamp: pino.stdTimeFunctions.isoTime };
  if (!options.file) return pino(settings);
  const streams = pino.multistream([
    { level: level as pino.Level, stream: pino.destination({ dest: options.file, mkdir: true, sync: false }) },
    { level: 'warn', stream: process.stderr },
  ]);
  return pino(settings, streams);
}
