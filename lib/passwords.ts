import { hash, verify } from '@node-rs/argon2';

// Argon2id with 19 MiB of memory per hash: the memory-hard baseline OWASP recommends.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string) => hash(password, options);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}
