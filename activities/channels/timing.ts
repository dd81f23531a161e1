// Small promise helpers the channel sessions share.

/** A promise that rejects when `fail` is first called; later calls are ignored. */
export function failure<T = never>() {
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((_, reject) => (fail = reject));
  promise.catch(() => undefined);
  return { promise, fail };
}

/** Resolves once the signal aborts (at once if it already has). */
export function abortion(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export function withTimeout<T>(promise: Promise<T>, ms: number, what = 'operation'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
