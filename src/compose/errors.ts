// The compose loader's one error type: one clear line, tspod's exit code 125.
import { TspodError } from '../util/errors.js';

export class ComposeError extends TspodError {
  constructor(message: string) { super(message, 'ECOMPOSE'); }
}
