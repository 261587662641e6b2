/** A long-lived part of the collector: constructed without I/O, then started and stopped. */
export interface Component {
  start(): Promise<void>;
  /** Clears timers, flushes and closes; safe to call more than once. */
  stop(): Promise<void>;
}
