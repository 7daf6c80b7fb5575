// Typed errors. Every error tspod raises on its own behalf carries an exit code
// (125 unless said otherwise) and a short machine-readable code.

export const EXIT_TSPOD = 125;
export const EXIT_CANNOT_INVOKE = 126;
export const EXIT_NOT_FOUND = 127;

export class TspodError extends Error {
  readonly code: string;
  readonly exitCode: number;
  constructor(message: string, code = 'ETSPOD', exitCode = EXIT_TSPOD) {
    super(message);
    this.name = 'TspodError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

export class InvalidArgumentError extends TspodError {
  constructor(message: string) { super(message, 'EINVAL'); }
}

export class NotFoundError extends TspodError {
  constructor(message: string) { super(message, 'ENOTFOUND'); }
}

export class AmbiguousError extends TspodError {
  constructor(message: string) { super(message, 'EAMBIGUOUS'); }
}

export class ConflictError extends TspodError {
  constructor(message: string) { super(message, 'ECONFLICT'); }
}

export class InUseError extends TspodError {
  constructor(message: string) { super(message, 'EINUSE'); }
}

export class CorruptStateError extends TspodError {
  readonly file: string;
  constructor(file: string, detail: string) {
    super(`corrupt state file ${file}: ${detail} (run "tspod system reset" to start over, or repair/remove the file)`, 'ECORRUPT');
    this.file = file;
  }
}

export class PrerequisiteError extends TspodError {
  constructor(message: string) { super(message, 'EPREREQ'); }
}

export class RegistryError extends TspodError {
  readonly status: number | undefined;
  constructor(message: string, status?: number) { super(message, 'EREGISTRY'); this.status = status; }
}

export class DigestMismatchError extends TspodError {
  constructor(message: string) { super(message, 'EDIGEST'); }
}

export class UnsafeLayerError extends TspodError {
  constructor(message: string) { super(message, 'EUNSAFE'); }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return typeof err === 'object' && err !== null && 'code' in err && codes.includes(String((err as NodeJS.ErrnoException).code));
}
