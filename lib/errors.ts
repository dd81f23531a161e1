// Errors that carry their HTTP meaning, so handlers throw and one middleware answers.

export interface ErrorDetail {
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
}

export const notFound = (what = 'Resource') =>
  new AppError(404, 'not_found', `${what} was not found.`);

export const forbidden = (message = 'You are not allowed to do this.') =>
  new AppError(403, 'forbidden', message);

export const unauthorized = (message = 'Sign in to continue.') =>
  new AppError(401, 'unauthorized', message);

export const badRequest = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError(400, code, message, details);

export const conflict = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError(409, code, message, details);
