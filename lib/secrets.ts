// Process secrets: taken from the environment, or generated once and kept under DATA_DIR so a
// restart keeps sessions and encrypted channel secrets valid. There is no built-in default.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from './config';

export interface Secrets {
  jwtSecret: string;
  encryptionKey: string;
}

export function loadSecrets(config: Config): Secrets {
  if (config.jwtSecret && config.encryptionKey) {
    return { jwtSecret: config.jwtSecret, encryptionKey: config.encryptionKey };
  }

  const file = path.join(config.dataDir, 'secrets.json');
  const stored: Partial<Secrets> = fs.existsSync(file)
    ? JSON.parse(fs.readFileSync(file, 'utf8'))
    : {};
  const secrets: Secrets = {
    jwtSecret: config.jwtSecret ?? stored.jwtSecret ?? crypto.randomBytes(48).toString('base64url'),
    encryptionKey:
      config.encryptionKey ?? stored.encryptionKey ?? crypto.randomBytes(32).toString('base64'),
  };

  if (secrets.jwtSecret !== stored.jwtSecret || secrets.encryptionKey !== stored.encryptionKey) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(secrets), { mode: 0o600 });
  }
  return secrets;
}
