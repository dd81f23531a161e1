// Links from tenants, tickets and channels to their runs in the Temporal Web UI. Where the UI
// lives and which namespace to open come from `GET /meta`, asked once per page load.
import { ref } from 'vue';
import { meta as metaApi } from '../api/resources';
import type { Meta } from '../api/types';

export type SearchAttribute = 'TenantId' | 'TicketId' | 'ChannelId';

let asked: Promise<Meta | null> | null = null;
const meta = ref<Meta | null>(null);

/** Returns a link builder; it answers undefined until the API has said where Temporal is. */
export function useTemporalLink(): (attribute: SearchAttribute, id: number) => string | undefined {
  asked ??= metaApi.get().catch(() => null);
  void asked.then((answer) => (meta.value = answer));

  return (attribute, id) => {
    if (!meta.value) return undefined;
    const { temporalUiUrl, temporalNamespace } = meta.value;
    const query = encodeURIComponent(`${attribute}="${id}"`);
    const base = temporalUiUrl.replace(/\/+$/, '');
    return `${base}/namespaces/${encodeURIComponent(temporalNamespace)}/workflows?query=${query}`;
  };
}
