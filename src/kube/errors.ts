// The kube front end's one error type: one clear line, tspod's exit code 125.
import { TspodError } from '../util/errors.js';

export class KubeError extends TspodError {
  constructor(message: string) { super(message, 'EKUBE'); }
}
