/** The part of pino the steps use; status passes the silent one and never loads pino. */
export interface StepLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export const SILENT_LOG: StepLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
