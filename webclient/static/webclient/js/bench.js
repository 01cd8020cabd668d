// The browser benchmark (bench/browser.py), loaded by vault.js only while ANONI_BENCH is on. It
// measures the real vault page and worker: how soon the login form works and the vault is ready
// (a cold load, then a warm reload), upload and download throughput beside a same-page baseline
// of WebCrypto AES-256-CBC + HMAC-SHA-256 over the same data and the transport floor (the same
// data read and POSTed to an endpoint that discards it), and 1 GiB transfers during which
// bench/browser.py samples the browser's memory. Figures are posted to the bench-only endpoint.

const MIB = 1024 * 1024;
const CHUNK = 4 * MIB;
const CONCURRENCY = 4; // as the vault (webclient/browser.py)
const PASSWORD = "bench password, not a secret";

function post(config, figures) {
  return fetch(config.benchResults, { method: "POST", body: JSON.stringify({ at: Date.now(), ...figures }) });
}

function mark(name) {
  return Math.round(performance.getEntriesByName(name)[0]?.startTime ?? -1);
}

// A file of `size` bytes on disk, as a person would pick one: written block by block into the
// origin's private file system, so that no copy of it stays in the page's memory. Random in every
// 4 MiB block (a copy of one random block with its first bytes changed), so that nothing about
// it compresses or repeats exactly.
async function syntheticFile(size, name) {
  const block = new Uint8Array(CHUNK);
  for (let offset = 0; offset < CHUNK; offset += 65536) crypto.getRandomValues(block.subarray(offset, offset + 65536));
  const handle = await (await navigator.storage.getDirectory()).getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  for (let offset = 0, index = 0; offset < size; offset += CHUNK, index += 1) {
    new DataView(block.buffer).setUint32(0, index);
    await writable.write(block.subarray(0, Math.min(CHUNK, size - offset)));
  }
  await writable.close();
  return handle.getFile();
}

async function removeFiles() {
  const root = await navigator.storage.getDirectory();
  for await (const name of root.keys()) await root.removeEntry(name);
}

// MiB/s of `each(chunk)` over the file's chunks, each read from disk first, with as many chunks
// in flight as the vault.
async function chunkSpeed(file, each) {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    for (let offset = next; offset < file.size; offset = next) {
      next += CHUNK;
      await each(await file.slice(offset, offset + CHUNK).arrayBuffer());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return file.size / MIB / ((performance.now() - started) / 1000);
}

// What encrypting the file costs with nothing else around it: read each chunk, AES-256-CBC it,
// HMAC-SHA-256 the ciphertext.
async function cryptoBaseline(file) {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  const aes = await crypto.subtle.importKey("raw", raw, "AES-CBC", false, ["encrypt"]);
  const mac = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return chunkSpeed(file, async (plaintext) => {
    const iv = crypto.getRandomValues(new Uint8Array(16));
    await crypto.subtle.sign("HMAC", mac, await crypto.subtle.encrypt({ name: "AES-CBC", iv }, aes, plaintext));
  });
}

// What moving the file's bytes to the server costs with no crypto, no Python and no storage: read
// each chunk and POST it to a bench-only endpoint that reads the body and throws it away. The
// floor under an upload on this machine.
async function transportFloor(config, file) {
  return chunkSpeed(file, async (chunk) => {
    const response = await fetch(config.benchDiscard, { method: "POST", body: chunk });
    if (response.status !== 204) throw new Error(`the discarding endpoint answered ${response.status}`);
  });
}

async function timed(run) {
  const started = performance.now();
  const result = await run();
  return { result, seconds: (performance.now() - started) / 1000 };
}

async function upload(vault, call, file) {
  const task = crypto.randomUUID();
  return timed(() => vault.task(task, {}, () => call("upload", {
    task, name: file.name, folder: null, path: [], type: file.type, mtime: file.lastModified,
  }, { file })));
}

async function verify(vault, call, doc) {
  const task = crypto.randomUUID();
  return timed(() => vault.task(task, {}, () => call("verify", { task, id: doc.id })));
}

async function save(saver, doc) {
  return timed(() => saver.save(doc, crypto.randomUUID(), {}));
}

// The worker stores the runtime snapshot that a first visit takes (worker.js, RUNTIME_CACHE) after
// it is ready; the warm visit stands for a returning visitor, who has it: wait for it (at most 30 s).
async function runtimeSnapshotStored() {
  const cache = await caches.open("anoni-runtime");
  for (let waited = 0; waited < 30000; waited += 100) {
    if ((await cache.keys()).length) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function run({ vault, saver, config, call }) {
  const phase = new URLSearchParams(location.search).get("bench");
  if (!phase) return;
  const { snapshot } = await vault.ready;
  const load = {
    login_usable_ms: mark("anoni:login-usable"), vault_ready_ms: mark("anoni:vault-ready"), snapshot,
  };
  if (phase === "cold") {
    await runtimeSnapshotStored();
    await post(config, { phase: "boot-cold", ...load });
    const next = new URLSearchParams(location.search);
    next.set("bench", "warm");
    location.replace(`?${next}`);
    return;
  }
  await post(config, { phase: "boot-warm", ...load });
  try {
    const size = Number(new URLSearchParams(location.search).get("mib") || 256) * MIB;
    const bigSize = Number(new URLSearchParams(location.search).get("big_mib") || 1024) * MIB;
    await call("signup", { username: `bench-${crypto.randomUUID()}`, password: PASSWORD });

    await removeFiles();
    const file = await syntheticFile(size, "bench.bin");
    // Rounds of all four, one after the other, so that each ratio compares figures taken within
    // seconds of each other: on this machine the same measurement moves by a factor of two
    // between minutes (docs/performance.md).
    const rounds = Number(new URLSearchParams(location.search).get("rounds") || 3);
    for (let round = 1; round <= rounds; round += 1) {
      await post(config, { phase: "baseline-start", round });
      const baseline = await cryptoBaseline(file);
      await post(config, { phase: "baseline-end", round });
      await post(config, { phase: "floor-start", round });
      const floor = await transportFloor(config, file);
      await post(config, { phase: "floor-end", round });
      const up = await upload(vault, call, file);
      const down = await verify(vault, call, up.result);
      await post(config, {
        phase: "throughput",
        round,
        mib: size / MIB,
        baseline_mib_s: baseline,
        floor_mib_s: floor,
        upload_mib_s: size / MIB / up.seconds,
        download_mib_s: size / MIB / down.seconds,
      });
      await call("delete_document", { id: up.result.id });
    }

    // Streamed to disk through the service worker. Only one download here: without a click
    // before each, the browser lets a page start a single download on its own.
    const big = await syntheticFile(bigSize, "bench-big.bin");
    await post(config, { phase: "memory-upload-start" });
    const bigUp = await upload(vault, call, big);
    await post(config, { phase: "memory-upload-end", mib_s: bigSize / MIB / bigUp.seconds });
    await post(config, { phase: "memory-download-start" });
    const bigSaved = await save(saver, bigUp.result);
    await post(config, { phase: "memory-download-end", mib_s: bigSize / MIB / bigSaved.seconds });
    await call("delete_account", { confirm: (await call("account")).username, password: PASSWORD });
    await removeFiles();
    await post(config, { phase: "done" });
  } catch (error) {
    await post(config, { phase: "failed", error: error.code || String(error) });
  }
}
