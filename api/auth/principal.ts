import type { Role } from '../../db/models';

/** Who is calling: a signed-in user, or an external system holding a tenant API token. */
export interface Principal {
  kind: 'user' | 'token';
  userId: number | null;
  tenantId: number | null;
  role: Role;
  queueIds: number[];
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}
