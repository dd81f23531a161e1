// Declares routes once: the same declaration validates requests, checks the caller's role,
// registers the Express handler and describes the route in the OpenAPI document.
import express, { type Request, type Response, type Router } from 'express';
import { z, type ZodType } from 'zod';
import { TenantScope } from '../../db/tenant-scope';
import { AppError, forbidden, unauthorized, type ErrorDetail } from '../../lib/errors';
import type { Role } from '../../db/models';
import type { Principal } from '../auth/principal';

export type Access = 'public' | Role[];

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  req: Request;
  res: Response;
  principal: Principal;
  /** The caller's tenant; a caller without one (the super user) is refused here. */
  scope: TenantScope;
}

export interface RouteSpec<B, Q, P> {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: ZodType<B>;
  query?: ZodType<Q>;
  params?: ZodType<P>;
  /** Status of a successful answer: 200 unless given; 204 sends no body. */
  status?: number;
  /** Handlers that stream or set their own answer (files, CSV, redirects). */
  raw?: boolean;
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>;
}

export const idParams = z.object({ id: z.coerce.number().int().positive() });

export function validationError(error: z.ZodError, where: string): AppError {
  const details: ErrorDetail[] = error.issues.map((issue) => ({
    path: issue.path.join('.') || where,
    message: issue.message,
  }));
  const fields = [...new Set(details.map((detail) => detail.path))].join(', ');
  return new AppError(400, 'validation_failed', `Invalid ${where}: check ${fields}.`, details);
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw validationError(result.error, where);
  return result.data;
}

function authorize(access: Access, principal: Principal | undefined): Principal {
  if (access === 'public') return principal as Principal;
  if (!principal) throw unauthorized();
  if (!access.includes(principal.role)) throw forbidden();
  return principal;
}

export class ApiRegistry {
  private readonly specs: RouteSpec<any, any, any>[] = [];

  route<B = unknown, Q = unknown, P = unknown>(spec: RouteSpec<B, Q, P>): void {
    this.specs.push(spec);
  }

  router(): Router {
    const router = express.Router();
    for (const spec of this.specs) {
      router[spec.method](spec.path, async (req: Request, res: Response) => {
        const principal = authorize(spec.access, req.principal);
        const ctx: RouteContext<unknown, unknown, unknown> = {
          body: parse(spec.body, req.body, 'body'),
          query: parse(spec.query, req.query, 'query'),
          params: parse(spec.params, req.params, 'path'),
          req,
          res,
          principal,
          get scope(): TenantScope {
            if (!principal?.tenantId) throw forbidden('This action belongs to a tenant user.');
            return new TenantScope(principal.tenantId);
          },
        };
        const result = await spec.handler(ctx);
        if (spec.raw) return;
        const status = spec.status ?? 200;
        if (status === 204) res.status(204).end();
        else res.status(status).json(result);
      });
    }
    return router;
  }

  /** The OpenAPI 3.1 document, generated from the same schemas that validate requests. */
  openapi(info: { title: string; version: string; serverUrl: string }) {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const path = spec.path.replace(/:(\w+)/g, '{$1}');
      const parameters = [
        ...objectParameters(spec.params, 'path'),
        ...objectParameters(spec.query, 'query'),
      ];
      paths[path] ??= {};
      paths[path][spec.method] = {
        summary: spec.summary,
        tags: [spec.tag],
        security: spec.access === 'public' ? [] : [{ bearer: [] }],
        ...(parameters.length ? { parameters } : {}),
        ...(spec.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: jsonSchema(spec.body) } },
              },
            }
          : {}),
        responses: {
          [String(spec.status ?? 200)]: { description: 'Success' },
          '4XX': { $ref: '#/components/responses/Error' },
        },
      };
    }
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        responses: {
          Error: {
            description: 'Error',
            content: {
              'application/json': {
                schema: jsonSchema(
                  z.object({
                    error: z.object({
                      code: z.string(),
                      message: z.string(),
                      details: z.array(z.object({ path: z.string(), message: z.string() })),
                    }),
                  }),
                ),
              },
            },
          },
        },
      },
    };
  }
}

function jsonSchema(schema: ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

function objectParameters(schema: ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const described = jsonSchema(schema) as {
    properties?: Record<string, unknown>;
    required?: string[];
  };
  return Object.entries(described.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (described.required ?? []).includes(name),
    schema: property,
  }));
}
