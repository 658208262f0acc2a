/**
 * The page side of a page's binary channel to Node (`ws://<host>/channel/<id>`, see
 * system/page-host.ts): connects, decodes every message with the one protocol decoder and
 * hands it on; a malformed message goes to `onError`. Browser-only.
 */
import { decodeMessage, type Message } from './protocol.js';

/** Connects the channel; resolves with the open socket. */
export function connectPageChannel(channel: string, onMessage: (msg: Message) => void, onError: (e: Error) => void): Promise<WebSocket> {
  return new Promise<WebSocket>((resolve, reject) => {
    const ws = new WebSocket(`ws://${location.host}/channel/${channel}`);
    ws.binaryType = 'arraybuffer';
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error('channel connection failed'));
    ws.onmessage = (ev) => {
      let msg: Message;
      try {
        msg = decodeMessage(ev.data as ArrayBuffer | string);
      } catch (e) {
        onError(e as Error);
        return;
      }
      onMessage(msg);
    };
  });
}
