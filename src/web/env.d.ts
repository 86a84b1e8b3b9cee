/// <reference types="vite/client" />

declare module 'simple-peer/simplepeer.min.js' {
  const SimplePeer: import('../session/net/simple-peer.js').SimplePeerCtor;
  export default SimplePeer;
}

/** callprobe's version, from package.json (vite `define`). */
declare const __CALLPROBE_VERSION__: string;
