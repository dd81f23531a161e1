// Turns whatever a handler threw into the one error shape clients read.
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, UniqueViolationError, ForeignKeyViolationError } from 'objection';
import { AppError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof NotFoundError)
    return new AppError(404, 'not_found', 'Resource was not found.');
  if (error instanceof UniqueViolationError) {
    const columns = error.columns?.filter((column) => column !== 'tenant_id') ?? [];
    return new AppError(
      409,
      'already_exists',
      `A record with the same ${columns.join(', ') || 'values'} already exists.`,
      columns.map((column) => ({ path: camel(column), message: 'already taken' })),
    );
  }
  if (error instanceof ForeignKeyViolationError) {
    return new AppError(400, 'invalid_reference', 'A referenced record does not exist.');
  }
  const status = (error as { status?: number; type?: string }).status;
  if (status === 400 && (error as { type?: string }).type === 'entity.parse.failed') {
    return new AppError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
  if (status === 413) return new AppError(413, 'too_large', 'The request body is too large.');
  return undefined;
}

const camel = (column: string) =>
  column.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());

export function errorHandler(log: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toAppError(error);
    if (known) {
      res.status(known.status).json({
        error: { code: known.code, message: known.message, details: known.details },
      });
      return;
    }
    log.error({ err: error, requestId: req.requestId, path: req.path }, 'request failed');
    res.status(500).json({
      error: { code: 'internal', message: 'Something went wrong on our side.', details: [] },
    });
  };
}
