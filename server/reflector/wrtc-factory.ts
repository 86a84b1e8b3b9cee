/**
 * Holds @roamhq/wrtc's peer-connection factory open. wrtc makes one factory per process while
 * any connection is open and lets it go when the last one closes; a factory let go keeps its
 * threads (a fake audio device among them, waking every 10 ms) until garbage collection takes
 * it. Tests back to back, each alone, so made a factory each, and the finished ones kept waking
 * beside the next (three fake audio devices, 8.3 ms of CPU a second, in the cost bench's third
 * test). An open connection that never negotiates (no sockets, no candidates) keeps the one
 * factory for every test of a busy period; the plane lets it go once it is idle, then collects
 * (../dataplane/idle-collect.ts).
 */
import wrtc from '@roamhq/wrtc';

/** Opens a connection that holds the factory; the returned function closes it. */
export function holdWrtcFactory(): () => void {
  const pc = new wrtc.RTCPeerConnection();
  return () => pc.close();
}
