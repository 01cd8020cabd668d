// The vault's download service worker: it turns a decrypted document, which the vault's worker
// sends chunk by chunk over a MessagePort, into an ordinary browser download, so that a large
// file streams to disk instead of being assembled in memory (docs/browser.md).
//
// Its scope is <its static directory>/download/, a path where nothing else lives: it sees only
// navigations to <scope><token> and answers them. The scope must not hold the vault's worker
// script: a dedicated worker is controlled by the service worker whose scope holds its script's
// URL, and every request of a controlled worker goes through the fetch event, uploads and their
// 4 MiB bodies included (measured: that cost more CPU than the encryption). The page registers a
// download ({type: "register", token, name, size, mediaType} with the port; an archive's size
// comes later, as {size} on the port, before its first chunk) and then follows a
// hidden link to that URL: a navigation, which a service worker sees by its scope (a page's own
// fetches it would see only if it controlled the page). The answer is an attachment, so the page
// stays; its body pulls one chunk at a time from the port.
//
// A port says nothing when its other end goes away, and the page's workers go with the page: a
// body whose page was reloaded or closed would wait on it for ever, the download "in progress"
// in the browser's list for good. So while a body waits, it looks every few seconds for the page
// that registered it, and fails once that page is gone (a wait for the network may last minutes,
// so the page's presence, not a timeout, decides).
const PAGE_CHECK_MS = 2000;

const downloads = new Map(); // token -> {port, name, size, mediaType, pageId, stream, early}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const message = event.data;
  if (message.type !== "register" || !event.ports[0]) return; // pings only keep this worker alive
  const port = event.ports[0];
  const entry = { ...message, port, pageId: event.source?.id, stream: null, early: [] };
  // Until the browser asks for the URL: an abort forgets the download; anything else waits.
  port.onmessage = ({ data }) => {
    if (data.size !== undefined) entry.size = data.size; // an archive's, known once listed
    else if (entry.stream) entry.stream(data);
    else if (data.abort) downloads.delete(message.token);
    else entry.early.push(data);
  };
  downloads.set(message.token, entry);
});

function contentDisposition(name) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function bodyFrom(entry) {
  let arrived = null;
  let pageCheck = null;
  let ended = false;
  const stop = () => {
    ended = true;
    clearInterval(pageCheck);
    entry.port.close();
  };
  return new ReadableStream({
    start(controller) {
      entry.stream = (data) => {
        if (data.chunk) controller.enqueue(data.chunk);
        else if (data.done) {
          controller.close();
          stop();
        } else if (data.abort) {
          controller.error(new Error("The download failed its checks."));
          stop();
        }
        if (arrived) arrived();
      };
      for (const data of entry.early.splice(0)) entry.stream(data);
      if (entry.pageId) {
        pageCheck = setInterval(async () => {
          if (ended || (await self.clients.get(entry.pageId)) || ended) return;
          controller.error(new Error("The page saving this download is gone."));
          stop();
          if (arrived) arrived();
        }, PAGE_CHECK_MS);
      }
    },
    pull() {
      // One chunk per request, and no new request before it arrived: bounded memory.
      return new Promise((resolve) => {
        arrived = resolve;
        entry.port.postMessage({ pull: true });
      });
    },
    cancel() {
      entry.port.postMessage({ cancel: true });
      stop();
    },
  });
}

self.addEventListener("fetch", (event) => {
  const scopePath = new URL(self.registration.scope).pathname;
  const token = new URL(event.request.url).pathname.slice(scopePath.length);
  const entry = downloads.get(token);
  downloads.delete(token);
  if (!entry) {
    // Unknown (this worker was restarted and forgot it): 204 leaves the page where it is.
    event.respondWith(new Response(null, { status: 204 }));
    return;
  }
  const headers = {
    "Content-Type": "application/octet-stream",
    "Content-Disposition": contentDisposition(entry.name),
    "Content-Security-Policy": "default-src 'none'",
    "X-Content-Type-Options": "nosniff",
  };
  if (Number.isSafeInteger(entry.size)) headers["Content-Length"] = String(entry.size);
  event.respondWith(new Response(bodyFrom(entry), { headers }));
});
