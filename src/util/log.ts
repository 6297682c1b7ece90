/**
 * @module log
 * Structured logging: JSON lines when stderr is not a terminal (pods, CI, files), a short readable line on a TTY.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** Renders `{"level":30,"msg":"x","a":1}` as `info  x a=1` for people reading a terminal. */
function ttyDestination(stream: NodeJS.WriteStream): DestinationStream {
  return {
    write(line: string): void {
      const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = JSON.parse(line) as Record<string, unknown>;
      const extra = Object.entries(fields)
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
        .join(' ');
      const name = LEVEL_NAMES[Number(level)] ?? String(level);
      stream.write(`${name.padEnd(5)} ${String(msg)}${extra ? ` ${extra}` : ''}\n`);
    },
  };
}

export interface LoggerOptions {
  level?: string;
  /** `json` forces JSON lines, `text` forces the readable form; by default it depends on whether stderr is a TTY. */
  format?: 'json' | 'text';
  stream?: NodeJS.WriteStream;
}

export function createLogger({ level = process.env.FERRY_LOG_LEVEL ?? 'info', format, stream = process.stderr }: LoggerOptions = {}): Logger {
  const useText = format === undefined ? stream.isTTY : format === 'text';
  return pino(
    { level, base: null, timestamp: pino.stdTimeFunctions.isoTime },
    useText ? ttyDestination(stream) : pino.destination({ fd: stream === process.stdout ? 1 : 2, sync: true }),
  );
}
