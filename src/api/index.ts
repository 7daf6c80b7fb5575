// The Docker-compatible API service (issue 13): routes over the engine, served
// in-process by `tspod system service`.
import { Router } from './router.js';
import { systemRoutes } from './handlers/system.js';
import { containerRoutes } from './handlers/containers.js';
import { streamRoutes } from './handlers/attach.js';
import { imageRoutes } from './handlers/images.js';
import { networkRoutes, volumeRoutes } from './handlers/resources.js';
import { eventRoutes } from './handlers/events.js';
import { buildRoutes } from './handlers/build.js';
import { fileRoutes } from './handlers/files.js';

export { startService, type RunningService, type ServiceOptions } from './server.js';
export { activationEndpoint, checkTcpSecurity, parseEndpoint, defaultSocketPath, type Endpoint, type TlsFiles } from './listen.js';

export function apiRouter(): Router {
  const r = new Router();
  systemRoutes(r);
  eventRoutes(r);
  containerRoutes(r);
  streamRoutes(r);
  fileRoutes(r);
  buildRoutes(r);
  networkRoutes(r);
  volumeRoutes(r);
  // last: image names take several path segments
  imageRoutes(r);
  return r;
}
