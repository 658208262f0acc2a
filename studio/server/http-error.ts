/** A NogginError with the HTTP status the studio's routes answer it with. */
import { NogginError } from '../../core/errors.js';

/** An error a route turns into `{error:{component,message,fix}}` with `status`. */
export class StudioHttpError extends NogginError {
  constructor(
    readonly status: number,
    problem: string,
    fix: string,
    component = 'studio',
  ) {
    super(component, problem, fix);
    this.name = 'StudioHttpError';
  }
}
