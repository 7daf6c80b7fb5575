// Errors as the Docker Engine API reports them: an HTTP status and a JSON body
// {"message": "..."}. Engine errors carry a machine code; this maps it.
import { TspodError, errorMessage } from '../util/errors.js';

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) { super(message); this.status = status; }
}

export const badRequest = (m: string) => new ApiError(400, m);
export const noSuchContainer = (name: string) => new ApiError(404, `No such container: ${name}`);
export const noSuchImage = (name: string) => new ApiError(404, `No such image: ${name}`);
export const noSuchExec = (id: string) => new ApiError(404, `No such exec instance: ${id}`);

const STATUS_BY_CODE: Record<string, number> = {
  ENOTFOUND: 404, ECONFLICT: 409, EINUSE: 409, EINVAL: 400, EAMBIGUOUS: 400, ENOTSUP: 500,
};

/** The status and message for anything a handler threw. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof TspodError) return new ApiError(STATUS_BY_CODE[err.code] ?? 500, err.message);
  return new ApiError(500, errorMessage(err));
}
