// The vault page's side of the vault: the worker that runs the Python client core (worker.js),
// the way downloads reach the disk, and the local diagnostic log. vault.js builds the interface
// on top of it; bench.js (only with ANONI_BENCH) measures it.

export const CHUNK_SIZE = 4 * 1024 * 1024;

// --- the diagnostic log -------------------------------------------------------------------------
// Technical events only (timings, error codes, retries): never a username, a file name, a key or
// a content. Kept in memory and in sessionStorage (it survives a reload, not the tab), and sent
// only when the person presses "Send" after reading it.

const LOG_KEY = "anoni.diagnostics";
const LOG_LIMIT = 200;
const LOG_MAX_BYTES = 32 * 1024; // the endpoint's limit
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

export class DiagnosticLog {
  constructor() {
    try {
      this.entries = JSON.parse(sessionStorage.getItem(LOG_KEY)) || [];
    } catch {
      this.entries = [];
    }
  }

  add(level, event, detail = "") {
    this.entries.push({
      t: Date.now(),
      level,
      event: String(event).replace(CONTROL, " ").slice(0, 100),
      detail: String(detail).replace(CONTROL, " ").slice(0, 1000),
    });
    this.entries.splice(0, Math.max(0, this.entries.length - LOG_LIMIT));
    try {
      sessionStorage.setItem(LOG_KEY, JSON.stringify(this.entries));
    } catch {
      // storage full or disabled: the log lives on in memory
    }
  }

  // The exact body of POST /api/v1/diagnostics/client-log: the latest entries that fit.
  report(version) {
    const client = { version, user_agent: navigator.userAgent.slice(0, 500) };
    let entries = this.entries.slice();
    const size = () => new TextEncoder().encode(JSON.stringify({ entries, client })).length;
    while (entries.length > 1 && size() > LOG_MAX_BYTES) entries = entries.slice(Math.ceil(entries.length / 10));
    return { entries, client };
  }
}

// --- the worker -----------------------------------------------------------------------------------

export class VaultError extends Error {
  constructor(error) {
    super(error.code);
    this.code = error.code;
    this.info = error;
  }
}

function absolute(url) {
  return new URL(url, location.href).href;
}

export class VaultWorker {
  constructor(config, log) {
    this.log = log;
    this.calls = new Map();
    this.nextCall = 1;
    this.tasks = new Map(); // task id -> {progress, retrying, saveBlob, saveStream} handlers
    this.started = performance.now();
    this.ready = new Promise((resolve, reject) => {
      this.booted = resolve;
      this.bootFailed = reject;
    });
    this.ready.catch(() => {});
    this.worker = new Worker(config.worker, { type: "module", name: "anoni-vault" });
    this.worker.onmessage = ({ data }) => this.receive(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      log.add("error", "worker.error", "uncaught");
      this.bootFailed(new VaultError({ code: "boot_failed" }));
    };
    this.worker.postMessage({
      type: "boot",
      config: {
        pyodide: absolute(config.pyodide),
        indexURL: absolute(config.indexURL),
        bridge: absolute(config.bridge),
        wheels: config.wheels.map((wheel) => ({ url: absolute(wheel.url), sha256: wheel.sha256 })),
      },
    });
  }

  receive(data) {
    if (data.type === "reply") {
      const call = this.calls.get(data.id);
      this.calls.delete(data.id);
      if (data.ok) call.resolve(data.result);
      else call.reject(new VaultError(data.error));
    } else if (data.type === "event") {
      if (data.kind === "log") this.log.add(data.level, data.event, data.detail);
      else this.tasks.get(data.task)?.[data.kind]?.(data);
    } else if (data.type === "save-blob") {
      this.tasks.get(data.task)?.saveBlob?.(data.blob);
    } else if (data.type === "save-stream") {
      this.tasks.get(data.task)?.saveStream?.();
    } else if (data.type === "booted") {
      this.log.add("info", "page.vault_ready", `ms_since_navigation=${Math.round(performance.now())}`);
      this.booted({ ms: data.ms, snapshot: data.snapshot });
    } else if (data.type === "boot-failed") {
      this.bootFailed(new VaultError({ code: "boot_failed", reason: data.code }));
    }
  }

  // Runs an operation of webclient/browser.py in the worker. `extra` carries what JSON cannot
  // (a File, a MessagePort, a file handle), `transfer` what moves rather than copies.
  call(op, args = {}, extra = {}, transfer = []) {
    const id = this.nextCall++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ type: "call", id, op, args, ...extra }, transfer);
    });
  }

  // A transfer's events (progress, retrying, save-blob, save-stream) go to `handlers` while it runs.
  async task(task, handlers, running) {
    this.tasks.set(task, handlers);
    try {
      return await running();
    } finally {
      this.tasks.delete(task);
    }
  }
}

// --- saving downloads -------------------------------------------------------------------------------
// A document of one chunk (4 MiB) or less is handed over as a Blob: it is in memory anyway. A
// larger one streams to disk through the download service worker (download-sw.js), chunk by
// chunk; where service workers are unavailable, into a file picked with showSaveFilePicker; and
// only as a last resort is it assembled into a Blob in memory (docs/browser.md).

// With `name`, a download of `href` (a blob: URL); without, a navigation, which is what the
// download service worker answers (it sees navigations in its scope, not the page's fetches).
function clickLink(href, name) {
  const link = document.createElement("a");
  link.href = href;
  if (name) link.download = name;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
}

function activated(registration) {
  if (registration.active) return Promise.resolve(registration.active);
  const worker = registration.installing || registration.waiting;
  return new Promise((resolve) => {
    worker.addEventListener("statechange", () => {
      if (worker.state === "activated") resolve(worker);
      if (worker.state === "redundant") resolve(null);
    });
  });
}

export class Saver {
  constructor(vaultWorker, config, log) {
    this.vault = vaultWorker;
    this.log = log;
    this.serviceWorker = this.register(config.serviceWorker);
    this.followingDownload = false;
  }

  async register(url) {
    if (!("serviceWorker" in navigator)) {
      this.log.add("warning", "download.no_service_worker", "unsupported");
      return null;
    }
    try {
      // A scope of its own, below its directory and away from the vault worker's script
      // (download-sw.js says why).
      const scope = new URL("download/", new URL(url, location.href)).href;
      const registration = await navigator.serviceWorker.register(url, { type: "classic", scope });
      // Versions before 2026-11 registered it for the whole directory: that registration would
      // keep seeing the vault worker's requests.
      for (const other of await navigator.serviceWorker.getRegistrations()) {
        if (other.scope !== registration.scope) await other.unregister();
      }
      return { registration, worker: await activated(registration) };
    } catch (error) {
      this.log.add("warning", "download.no_service_worker", error.name);
      return null;
    }
  }

  // Downloads `doc` ({id, name, size, type}) as transfer `task`; resolves to the checked document.
  // Must start within the click that asked for it (the file picker needs that gesture).
  save(doc, task, handlers) {
    return this.run(task, handlers, { name: doc.name, size: doc.size, mediaType: doc.type || "application/octet-stream" },
      "download", { task, id: doc.id });
  }

  // Decrypts and checks `doc` into memory, for the page to show (a preview), never saved: resolves
  // to {blob, checked}. Only for documents small enough to hold in memory.
  async open(doc, task) {
    let blob = null;
    const checked = await this.vault.task(task, { saveBlob: (opened) => { blob = opened; } },
      () => this.vault.call("download", { task, id: doc.id }, { mediaType: doc.type || "application/octet-stream" }));
    return { blob, checked };
  }

  // Downloads folders and documents, all in folder `parent`, as one ZIP archive named `name`
  // (webclient/vault/archive.py). Its size is known only once the worker has listed them, so it
  // is always streamed where that is possible. Likewise within the click.
  saveArchive(name, parent, folders, documents, task, handlers) {
    return this.run(task, handlers, { name, size: null, mediaType: "application/zip" },
      "download_archive", { task, parent, folders, documents });
  }

  async run(task, handlers, { name, size, mediaType }, op, args) {
    const extra = { mediaType };
    const transfer = [];
    let keepAlive = null;
    let streamUrl = null;
    if (size === null || size > CHUNK_SIZE) {
      const service = await this.serviceWorker;
      if (service?.worker) {
        const token = crypto.randomUUID();
        const channel = new MessageChannel();
        service.worker.postMessage({ type: "register", token, name, size, mediaType }, [channel.port1]);
        extra.port = channel.port2;
        transfer.push(channel.port2);
        streamUrl = new URL(token, service.registration.scope).href;
        // A service worker is stopped after some idle time; messages keep it going.
        keepAlive = setInterval(() => service.worker.postMessage({ type: "ping" }), 10000);
      } else if (window.showSaveFilePicker) {
        extra.fileHandle = await window.showSaveFilePicker({ suggestedName: name });
      } else {
        this.log.add("warning", "download.in_memory", size === null ? "archive" : `mib=${Math.round(size / 2 ** 20)}`);
      }
    }
    try {
      return await this.vault.task(task, {
        ...handlers,
        saveBlob: (blob) => {
          const url = URL.createObjectURL(blob);
          clickLink(url, name);
          setTimeout(() => URL.revokeObjectURL(url), 60000);
        },
        saveStream: () => {
          // The navigation turns into a download and the page stays; it must not ask the person
          // whether to leave it.
          this.followingDownload = true;
          clickLink(streamUrl);
          setTimeout(() => { this.followingDownload = false; }, 1000);
        },
      }, () => this.vault.call(op, args, extra, transfer));
    } finally {
      if (keepAlive) clearInterval(keepAlive);
    }
  }
}
