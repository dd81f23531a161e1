// Starts the HTTP server with the REST API, the web app and the socket.io gateway.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { connectRedis, duplicateRedis } from '../lib/redis';
import type { Services } from '../lib/services';
import { createApp } from './app';
import { attachGateway } from './realtime/gateway';

export interface ApiServer {
  url: string;
  close(): Promise<void>;
}

export async function startApiServer(
  services: Services,
  listen: { port: number; host: string },
): Promise<ApiServer> {
  const { redisUrl } = services.config;
  const redis = redisUrl ? connectRedis(redisUrl, services.log) : undefined;
  const bus = redis && { redis, subscriber: duplicateRedis(redis, services.log) };
  const { app, tokens } = createApp(services, { redis });
  const httpServer = http.createServer(app);
  const io = attachGateway(httpServer, services, tokens, bus);

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(listen.port, listen.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      bus?.redis.disconnect();
      bus?.subscriber.disconnect();
    },
  };
}
