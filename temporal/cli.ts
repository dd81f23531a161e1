// Finds or installs the Temporal CLI, which ships the dev server. No npm package carries it, so
// the binary is cached outside the checkout and shared by every clone on the machine.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';

const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'tiktickets', `temporal-${TEMPORAL_CLI_VERSION}`);
}

function onPath(command: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return dirs.map((dir) => path.join(dir, command)).find((file) => fs.existsSync(file));
}

function works(binary: string): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The CLI to use: `TEMPORAL_CLI` if set, then PATH, then the user cache. */
export function findTemporalCli(): string | undefined {
  const candidates = [
    process.env.TEMPORAL_CLI,
    onPath(binaryName),
    path.join(cacheDir(), binaryName),
  ];
  return candidates.find((candidate) => candidate && fs.existsSync(candidate) && works(candidate));
}

function findGo(): string | undefined {
  return onPath('go') ?? ['/usr/local/go/bin/go'].find((file) => fs.existsSync(file));
}

function buildWithGo(go: string, target: string, report: (line: string) => void): boolean {
  report(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go (takes a few minutes once)…`);
  const result = spawnSync(
    go,
    ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, GOBIN: path.dirname(target) },
    },
  );
  return result.status === 0 && works(target);
}

async function download(target: string, report: (line: string) => void): Promise<boolean> {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const url =
    `https://temporal.download/cli/archive/v${TEMPORAL_CLI_VERSION}` +
    `?platform=${platform}&arch=${arch}`;
  report(`Downloading the Temporal CLI from ${url}…`);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const archive = path.join(path.dirname(target), 'temporal.tar.gz');
    fs.writeFileSync(archive, Buffer.from(await response.arrayBuffer()));
    const untar = spawnSync('tar', ['-xzf', archive, '-C', path.dirname(target), binaryName]);
    fs.rmSync(archive, { force: true });
    return untar.status === 0 && works(target);
  } catch (error) {
    report(`Download failed: ${(error as Error).message}`);
    return false;
  }
}

/** Reuses an installed CLI, else builds it with Go, else downloads the official release. */
export async function ensureTemporalCli(report: (line: string) => void): Promise<string> {
  const existing = findTemporalCli();
  if (existing) return existing;

  const target = path.join(cacheDir(), binaryName);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const go = findGo();
  if (go && buildWithGo(go, target, report)) return target;
  if (await download(target, report)) return target;

  throw new Error(
    'Could not install the Temporal CLI. Install Go (https://go.dev/dl) and run `npm install` ' +
      `again, or put a \`temporal\` binary (v${TEMPORAL_CLI_VERSION}) on PATH or set TEMPORAL_CLI.`,
  );
}
