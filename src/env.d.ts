/// <reference types="vite/client" />

declare module 'simple-peer/simplepeer.min.js' {
  import SimplePeer from 'simple-peer';
  export default SimplePeer;
}

/** callprobe's version, from package.json (vite `define`). */
declare const __CALLPROBE_VERSION__: string;
