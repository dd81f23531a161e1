// Every workflow the worker runs; the worker bundles this file.
export { smokeWorkflow } from './smoke';
export { ticketWorkflow } from './ticket';
export { channelSessionWorkflow } from './channel-session';
