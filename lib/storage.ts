// Media files behind one interface; the default keeps them under DATA_DIR/media, one folder per
// tenant, so serving a file can check the owner before reading it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface StoredMedia {
  /** Key to keep on the message: `<tenantId>/<yyyy-mm>/<random>-<name>`. */
  key: string;
  size: number;
}

export interface MediaStorage {
  put(tenantId: number, fileName: string, data: Buffer): Promise<StoredMedia>;
  read(key: string): Promise<Buffer>;
  pathOf(key: string): string;
  tenantOf(key: string): number;
}

const safeName = (name: string) => name.replace(/[^\w.\-]+/g, '_').slice(-120) || 'file';

export class DiskStorage implements MediaStorage {
  private readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'media');
  }

  async put(tenantId: number, fileName: string, data: Buffer): Promise<StoredMedia> {
    const month = new Date().toISOString().slice(0, 7);
    const key = `${tenantId}/${month}/${crypto.randomBytes(8).toString('hex')}-${safeName(fileName)}`;
    const file = this.pathOf(key);
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    await fs.promises.writeFile(file, data);
    return { key, size: data.length };
  }

  read(key: string): Promise<Buffer> {
    return fs.promises.readFile(this.pathOf(key));
  }

  pathOf(key: string): string {
    const file = path.resolve(this.root, key);
    if (!file.startsWith(this.root + path.sep)) throw new Error('Media key escapes the store');
    return file;
  }

  tenantOf(key: string): number {
    return Number(key.split('/')[0]);
  }
}
