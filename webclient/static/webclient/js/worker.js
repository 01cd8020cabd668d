// The browser vault's module Web Worker: boots Pyodide, installs the client core's wheels once
// their SHA-256 matches the digests the page was served with, and runs the page's requests on the
// Python vault (webclient/browser.py). The page never freezes: all the work happens here.
//
// Messages from the page:
//   {type: "boot", config}                 config: see the data attributes of the vault page
//   {type: "call", id, op, args, ...}      answered by {type: "reply", id, ok, result | error}
// Messages to the page:
//   {type: "booted", ms, snapshot: "restored" | "taken" | "none"} | {type: "boot-failed", code}
//   {type: "event", kind, ...}             progress, retrying, log (see webclient/browser.py)
//   {type: "save-blob", task, blob}        a small download, complete and checked
//   {type: "save-stream", task}            the first bytes of a streamed download are ready

const FIRST_PULL_TIMEOUT_MS = 30000;
const RUNTIME_CACHE = "anoni-runtime";
let app = null;
let bootPromise = null;

function post(message, transfer = []) {
  self.postMessage(message, transfer);
}

function log(level, event, detail = "") {
  post({ type: "event", kind: "log", level, event, detail });
}

function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// A wheel, only if its SHA-256 is the one the page announced.
async function fetchVerified(wheel) {
  const response = await fetch(wheel.url, { credentials: "same-origin" });
  if (!response.ok) throw Object.assign(new Error("wheel"), { code: "wheel_missing" });
  const bytes = await response.arrayBuffer();
  const digest = hex(await crypto.subtle.digest("SHA-256", bytes));
  if (digest !== wheel.sha256) throw Object.assign(new Error("wheel"), { code: "wheel_digest" });
  return bytes;
}

// Starting Python from scratch takes seconds; restoring a memory snapshot of the freshly started
// runtime takes a fraction of that. The first boot takes the snapshot (before any of our code or
// data is in memory: it holds no key, name or password) and keeps it in Cache Storage under the
// runtime's versioned URL; later boots restore it. Anything wrong with it: it is dropped, and
// Python starts from scratch. (Pyodide's snapshot options are marked private: pinned version.)
async function loadRuntime(config, loadPyodide) {
  const options = { indexURL: config.indexURL };
  const key = new URL("runtime-snapshot", config.indexURL).href;
  let cache = null;
  try {
    cache = await caches.open(RUNTIME_CACHE);
  } catch {
    // no Cache Storage here (a private window, storage disabled): start from scratch each time
  }
  const cached = await cache?.match(key);
  if (cached) {
    try {
      const snapshot = new Uint8Array(await cached.arrayBuffer());
      return { pyodide: await loadPyodide({ ...options, _loadSnapshot: snapshot }), snapshot: "restored" };
    } catch (error) {
      log("warning", "boot.snapshot_refused", error.name);
      await cache.delete(key);
    }
  }
  const pyodide = await loadPyodide({ ...options, _makeSnapshot: Boolean(cache) });
  if (cache) storeSnapshot(cache, key, pyodide.makeMemorySnapshot());
  return { pyodide, snapshot: cache ? "taken" : "none" };
}

async function storeSnapshot(cache, key, snapshot) {
  try {
    for (const request of await cache.keys()) if (request.url !== key) await cache.delete(request);
    await cache.put(key, new Response(snapshot, { headers: { "Content-Type": "application/octet-stream" } }));
  } catch (error) {
    log("warning", "boot.snapshot_not_stored", error.name); // full storage: next boot starts from scratch
  }
}

async function boot(config) {
  const started = performance.now();
  const wheels = Promise.all(config.wheels.map(fetchVerified));
  const [{ loadPyodide }, bridge] = await Promise.all([import(config.pyodide), import(config.bridge)]);
  const imported = performance.now();
  const { pyodide, snapshot } = await loadRuntime(config, loadPyodide);
  const runtimeReady = performance.now();
  pyodide.registerJsModule("anoni_bridge", bridge);
  for (const wheel of await wheels) pyodide.unpackArchive(wheel, "wheel");
  // A restored snapshot would replay the `random` module's sequence; nothing secret comes from it
  // (keys, IVs and nonces come from os.urandom), but no two tabs should share it either.
  pyodide.runPython("import random; random.seed()");
  const browser = pyodide.pyimport("webclient.browser");
  const vault = browser.BrowserVault(self.location.origin, (kind, payload) => {
    post({ type: "event", kind, ...JSON.parse(payload) });
  });
  app = { call: vault.call, bridge };
  const now = performance.now();
  const ms = Math.round(now - started);
  log("info", "boot.ready", `ms=${ms} modules_ms=${Math.round(imported - started)} `
    + `runtime_ms=${Math.round(runtimeReady - imported)} client_ms=${Math.round(now - runtimeReady)} `
    + `snapshot=${snapshot}`);
  post({ type: "booted", ms, snapshot });
  // Started now rather than by the first upload; 0 means all the work runs on this thread.
  bridge.helpersInUse().then((count) => log("info", "crypto.helpers", `count=${count}`));
}

// --- sources and sinks (Python awaits their methods through proxies) ----------------------------

function fileSource(file) {
  return { size: file.size, read: (offset, length) => app.bridge.readBlob(file, offset, offset + length) };
}

function owned(chunk) {
  // A buffer is transferred only when the array covers all of it (a view would detach others).
  return chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
}

// A document that fits in one chunk is in memory anyway: handed to the page as a Blob once checked.
class BlobSink {
  constructor(task, type) {
    this.task = task;
    this.type = type;
    this.parts = [];
  }
  announce() {}
  async write(chunk) {
    this.parts.push(owned(chunk));
  }
  async close() {
    post({ type: "save-blob", task: this.task, blob: new Blob(this.parts, { type: this.type }) });
    this.parts = [];
  }
  async abort() {
    this.parts = [];
  }
}

// The last chunk written is held back until the next write or close: a document whose first
// chunk or whose tree hash fails never reaches the disk at all.
class HoldBackSink {
  constructor() {
    this.held = null;
  }
  announce() {} // the size of what will be written, once known (an archive's)
  async write(chunk) {
    if (this.held) await this.send(this.held);
    this.held = owned(chunk);
  }
  async close() {
    if (this.held) await this.send(this.held);
    this.held = null;
    await this.finish();
  }
  async abort() {
    this.held = null;
    await this.discard();
  }
}

// Streams through the page's service worker (download-sw.js) over a MessagePort: the service
// worker asks for one chunk at a time, so at most a few chunks are ever in memory.
class PortSink extends HoldBackSink {
  constructor(task, port) {
    super();
    this.task = task;
    this.port = port;
    this.started = false;
    this.credits = 0;
    this.waiting = null;
    this.cancelled = false;
    this.pulled = false;
    port.onmessage = ({ data }) => {
      if (data.pull) this.credits += 1;
      if (data.cancel) this.cancelled = true;
      if (this.waiting) this.waiting();
    };
  }
  async credit() {
    // The first request must come soon after the page followed the link; if the service worker
    // lost the download (it was restarted in between), give up instead of waiting for ever.
    const deadline = this.pulled ? null : setTimeout(() => this.waiting?.(), FIRST_PULL_TIMEOUT_MS);
    while (!this.credits && !this.cancelled) {
      await new Promise((resolve) => { this.waiting = resolve; });
      if (!this.credits && !this.pulled && !this.cancelled) {
        throw new DOMException("The browser did not take the download.", "TimeoutError");
      }
    }
    clearTimeout(deadline);
    this.waiting = null;
    if (this.cancelled) throw new DOMException("The download was cancelled.", "AbortError");
    this.pulled = true;
    this.credits -= 1;
  }
  announce(size) {
    // Before the first chunk, so that the service worker can give the download its length.
    this.port.postMessage({ size });
  }
  begin() {
    if (!this.started) post({ type: "save-stream", task: this.task });
    this.started = true;
  }
  async send(chunk) {
    this.begin();
    await this.credit();
    this.port.postMessage({ chunk }, [chunk.buffer]);
  }
  async finish() {
    this.begin();
    this.port.postMessage({ done: true });
    this.port.close();
  }
  async discard() {
    this.port.postMessage({ abort: true });
    this.port.close();
  }
}

// Writes into a file the person chose (File System Access API). The browser writes to a swap
// file and replaces the target only on close; abort discards it.
class FileHandleSink extends HoldBackSink {
  constructor(handle) {
    super();
    this.handle = handle;
    this.writable = null;
  }
  async send(chunk) {
    this.writable ??= await this.handle.createWritable();
    await this.writable.write(chunk);
  }
  async finish() {
    this.writable ??= await this.handle.createWritable();
    await this.writable.close();
  }
  async discard() {
    if (this.writable) await this.writable.abort();
    // The picker already created the (empty) file; leave nothing behind where supported.
    if (this.handle.remove) await this.handle.remove().catch(() => {});
  }
}

function sinkFor(message) {
  if (message.port) return new PortSink(message.args.task, message.port);
  if (message.fileHandle) return new FileHandleSink(message.fileHandle);
  return new BlobSink(message.args.task, message.mediaType);
}

async function call(message) {
  let handles = {};
  if (message.op === "upload") handles = { source: fileSource(message.file) };
  if (message.op === "download" || message.op === "download_archive") handles = { sink: sinkFor(message) };
  try {
    await bootPromise;
  } catch {
    post({ type: "reply", id: message.id, ok: false, error: { code: "boot_failed" } });
    return;
  }
  const answer = JSON.parse(await app.call(message.op, JSON.stringify(message.args), handles));
  post({ type: "reply", id: message.id, ...answer });
}

// A CSP violation here would be a bug (or an attack): it goes to the diagnostic log.
self.addEventListener("securitypolicyviolation", (event) => {
  log("error", "csp.violation", `${event.effectiveDirective} ${event.blockedURI}`);
});

self.onmessage = ({ data }) => {
  if (data.type === "boot" && !bootPromise) {
    bootPromise = boot(data.config).catch((error) => {
      const code = error.code || error.name || "boot_error";
      log("error", "boot.failed", code);
      post({ type: "boot-failed", code });
      throw error;
    });
  } else if (data.type === "call") {
    call(data);
  }
};
