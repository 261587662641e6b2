import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Logs go to stderr (stdout carries `--json`): readable on a terminal, JSON lines otherwise. */
export function createLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino(
      { level },
      pretty({
        destination: 2,
        sync: true,
        colorize: true,
        ignore: 'pid,hostname',
        translateTime: 'SYS:HH:MM:ss',
      }),
    );
  }
  return pino({ level, base: undefined }, pino.destination({ dest: 2, sync: true }));
}
