// Message files are served only with the bearer token, so <img> and <audio> cannot load them by
// URL. They are fetched once per message and shown through blob URLs, which live as long as the
// conversation that provided the cache.
import { inject, onBeforeUnmount, provide, type InjectionKey } from 'vue';
import { messages } from '../api/resources';

export interface MediaCache {
  /** A blob URL for the message's file, fetched on first use. */
  url(messageId: number): Promise<string>;
  /** Revokes every URL handed out; later fetches start afresh. */
  clear(): void;
}

export function createMediaCache(fetchFile: (messageId: number) => Promise<Blob>): MediaCache {
  let urls = new Map<number, Promise<string>>();

  return {
    url(messageId) {
      const known = urls.get(messageId);
      if (known) return known;
      const owner = urls;
      const url = fetchFile(messageId).then((blob) => {
        const objectUrl = URL.createObjectURL(blob);
        // Cleared while the file was on its way: nobody will revoke it later, so do it now.
        if (owner !== urls) URL.revokeObjectURL(objectUrl);
        return objectUrl;
      });
      // A failed fetch is forgotten so the next attempt can retry it.
      url.catch(() => owner.delete(messageId));
      urls.set(messageId, url);
      return url;
    },
    clear() {
      for (const url of urls.values()) {
        url.then((objectUrl) => URL.revokeObjectURL(objectUrl)).catch(() => undefined);
      }
      urls = new Map();
    },
  };
}

const mediaCacheKey: InjectionKey<MediaCache> = Symbol('media cache');

/** One cache for the components below the caller, emptied when the caller unmounts. */
export function provideMediaCache(): MediaCache {
  const cache = createMediaCache(messages.media);
  provide(mediaCacheKey, cache);
  onBeforeUnmount(() => cache.clear());
  return cache;
}

export function useMediaCache(): MediaCache {
  const cache = inject(mediaCacheKey);
  if (!cache) throw new Error('useMediaCache needs provideMediaCache in a parent component');
  return cache;
}
