// The JavaScript half of the Pyodide backends (webclient/vault/backends/pyodide.py).
// Python runs the protocol; these functions move and transform the bulk bytes, which stay in
// Uint8Arrays on the JavaScript side: WebCrypto for AES-CBC, HMAC, SHA-256 and PBKDF2, fetch for
// HTTP, `Blob.arrayBuffer` for reading files. Python holds only proxies to the arrays.
//
// Chromium runs WebCrypto on the thread that calls it, so chunk-sized work (reading a file's
// chunk and hashing its leaves, sealing it, hashing a box, checking and opening one) is sent to
// helper workers running this same module, while the vault's own thread, which also runs Python,
// only orchestrates: on two cores that thread was what limited a transfer (docs/browser.md).
// Buffers go to a helper and back by transfer, not copied. What a helper computed besides its
// answer (a box's SHA-256, a chunk's leaf hashes) is remembered for the array it belongs to, so
// that Python's next question about that array is answered without hashing it again.

const subtle = crypto.subtle;

// Reused buffers for chunk-sized data. Each fresh ArrayBuffer this large is a fresh memory
// mapping whose pages the kernel faults in and zeroes one at a time, and unmaps once it is
// collected: measured with perf during an upload, that cost the worker's thread more time than
// the cryptography (docs/browser.md). The transfer code hands back the buffers it is done with
// (`release`) and the next chunk reuses their pages. The pool empties itself once transfers stop.
const POOLED_BYTES = 4 * 1024 * 1024 + 4096; // a 4 MiB chunk's box laid out with the MAC's prefix
const POOLED_MIN = 1024 * 1024; // smaller buffers are cheap to make
const POOL_LIMIT = 12;
const POOL_IDLE_MS = 30000;
const pool = [];
let poolTimer = null;

function take(size) {
  if (size < POOLED_MIN || size > POOLED_BYTES) return new Uint8Array(size);
  return new Uint8Array(pool.pop() ?? new ArrayBuffer(POOLED_BYTES), 0, size);
}

// The caller is done with `view` and with every other view of its buffer: a pooled buffer goes
// back to the pool; any other is left to the garbage collector. (Not detached with
// `transfer(0)`: measured, Chromium then frees the memory later, not sooner.)
export function release(view) {
  const buffer = view.buffer;
  if (buffer.byteLength !== POOLED_BYTES || pool.length >= POOL_LIMIT || pool.includes(buffer)) return;
  pool.push(buffer);
  clearTimeout(poolTimer);
  poolTimer = setTimeout(() => { pool.length = 0; }, POOL_IDLE_MS);
}

// --- Helper workers ------------------------------------------------------------------------------

const HELPER_NAME = "anoni-crypto";
// Below this, the work costs less on this thread than a trip to a helper and back.
const OFFLOAD_MIN = 256 * 1024;
// The tree hash's leaf (webclient/vault/treehash.py LEAF_SIZE): what a helper hashes ahead.
const LEAF_BYTES = 1024 * 1024;
const HELPER_START_MS = 10000;
const inHelper = typeof WorkerGlobalScope !== "undefined" && self.name === HELPER_NAME;
// Two: one chunk sealed while another is read or hashed. More only take turns on two cores.
let helperCount = inHelper ? 0 : 2;
let helpers = null; // a promise of the started helpers; none if they could not start
const digests = new WeakMap(); // array -> its SHA-256, computed where the array was made
const leafMemo = new WeakMap(); // array -> the SHA-256 of its LEAF_BYTES leaves, likewise

class Helper {
  constructor() {
    this.worker = new Worker(import.meta.url, { type: "module", name: HELPER_NAME });
    this.calls = new Map();
    this.nextId = 0;
    this.broken = false;
    this.ready = new Promise((resolve, reject) => {
      this.worker.onmessage = ({ data }) => {
        if (data.ready) {
          resolve(this);
          return;
        }
        const call = this.calls.get(data.id);
        this.calls.delete(data.id);
        if (data.error) call.reject(new DOMException(data.error.message, data.error.name));
        else call.resolve(data.result);
      };
      this.worker.onerror = (event) => {
        event.preventDefault();
        const error = new DOMException("A crypto helper stopped.", "OperationError");
        this.broken = true;
        reject(error);
        for (const call of this.calls.values()) call.reject(error);
        this.calls.clear();
      };
    });
  }

  call(op, args, transfer) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, args }, transfer);
    });
  }
}

async function startHelpers(count) {
  let started = [];
  try {
    started = Array.from({ length: count }, () => new Helper());
    let timer;
    const timeout = new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new DOMException("no helper", "TimeoutError")), HELPER_START_MS);
    });
    await Promise.race([Promise.all(started.map((helper) => helper.ready)), timeout]);
    clearTimeout(timer);
    return started;
  } catch {
    // No nested workers here, or they fail to start: everything runs on this thread, as before.
    for (const helper of started) helper.worker.terminate();
    return [];
  }
}

// The helpers that work, started on first use (none where they cannot start).
async function workingHelpers() {
  if (!helperCount) return [];
  helpers ??= startHelpers(helperCount);
  return (await helpers).filter((helper) => !helper.broken);
}

// Whether work on `length` bytes goes to a helper: only large work, and only if one is working.
async function offloaded(length) {
  return length >= OFFLOAD_MIN && (await workingHelpers()).length > 0;
}

async function helperCall(op, args, transfer = []) {
  const working = await workingHelpers();
  if (!working.length) throw new DOMException("No crypto helper is working.", "OperationError");
  const idlest = working.reduce((best, helper) => (helper.calls.size < best.calls.size ? helper : best));
  return idlest.call(op, args, transfer);
}

// How many helpers are working; for the diagnostic log and tests.
export async function helpersInUse() {
  return (await workingHelpers()).length;
}

// How many helpers to use from now on (0: all work on this thread); for tests and benchmarks.
export function useHelpers(count) {
  helpers?.then((started) => started.forEach((helper) => helper.worker.terminate()));
  helpers = null;
  helperCount = count;
}

export function importAesKey(raw) {
  return subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
}

export function importHmacKey(raw) {
  return subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

const TAG_BYTES = 32;
const BLOCK_BYTES = 16;
// AES-CBC is run over the chunk in pieces of this size (a multiple of the block). WebCrypto copies
// each call's input and returns a fresh buffer; at 4 MiB both are fresh memory mappings, while
// pieces this small come from the allocator's reused buckets: measured, the encryption alone runs
// ~1.5 times as fast in pieces (docs/browser.md).
const CBC_PIECE_BYTES = 256 * 1024;

// AES-256-CBC with PKCS#7 padding of `plaintext`, written into `out` (its length rounded up to the
// next whole block). CBC chains through the ciphertext, so a piece encrypted with the previous
// piece's last ciphertext block as its IV continues the same ciphertext; each call pads its own
// output, and that padding block is dropped for every piece but the last.
async function cbcEncryptInto(key, iv, plaintext, out) {
  let chain = iv;
  let offset = 0;
  for (;;) {
    const end = Math.min(plaintext.byteLength, offset + CBC_PIECE_BYTES);
    const last = end === plaintext.byteLength;
    const piece = new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv: chain }, key,
      plaintext.subarray(offset, end)));
    const kept = last ? piece.byteLength : piece.byteLength - BLOCK_BYTES;
    out.set(piece.subarray(0, kept), offset);
    if (last) return;
    chain = piece.slice(kept - BLOCK_BYTES, kept);
    offset = end;
  }
}

// Encrypt-then-MAC in place in `layout`: macPrefix | ciphertext | tag, the ciphertext encrypted
// from `plaintext`, which may be the start of the ciphertext's own place (each piece's input is
// copied by WebCrypto before its output is written over it); then `header` is written over the
// end of the prefix, so that the box is a view of the same buffer: no copy of the chunk for the
// MAC's input, none for the box. Returns the box.
async function sealInto(layout, encKey, macKey, iv, macPrefix, header, plaintext) {
  const macEnd = macPrefix.byteLength + paddedLength(plaintext.byteLength);
  layout.set(macPrefix, 0);
  await cbcEncryptInto(encKey, iv, plaintext, layout.subarray(macPrefix.byteLength, macEnd));
  layout.set(new Uint8Array(await subtle.sign("HMAC", macKey, layout.subarray(0, macEnd))), macEnd);
  const start = macPrefix.byteLength - header.byteLength;
  layout.set(header, start);
  return layout.subarray(start, macEnd + TAG_BYTES);
}

function paddedLength(length) {
  return (Math.floor(length / BLOCK_BYTES) + 1) * BLOCK_BYTES;
}

export async function encryptThenMac(encKey, macKey, iv, macPrefix, header, plaintext) {
  const size = macPrefix.byteLength + paddedLength(plaintext.byteLength) + TAG_BYTES;
  const layout = take(size);
  if (!(await offloaded(plaintext.byteLength))) {
    return sealInto(layout, encKey, macKey, iv, macPrefix, header, plaintext);
  }
  // The one copy on this thread: the plaintext into the ciphertext's place, where the helper
  // encrypts it in place.
  layout.set(plaintext, macPrefix.byteLength);
  const answer = await helperCall("seal", { encKey, macKey, iv, macPrefix, header, buffer: layout.buffer,
    size, length: plaintext.byteLength }, [layout.buffer]);
  const sealed = new Uint8Array(answer.buffer, answer.start, answer.length);
  digests.set(sealed, answer.digest);
  return sealed;
}

// AES-256-CBC decryption of `ciphertext` (whole blocks, at least one), its PKCS#7 padding checked
// and removed; undefined for bad padding. Run in pieces like the encryption, and for the same
// reason (measured in a worker: ~1.7 times as fast as one call over 4 MiB). WebCrypto checks and
// strips the padding of every call's output, so a piece that is not the last is given one more
// block, made to decrypt to a whole block of padding: the encryption of nothing with the piece's
// last ciphertext block as IV (D(E(last XOR pad)) XOR last = pad). The last piece, the only one
// with the box's own padding, is decrypted first: it tells the plaintext's exact length, so that
// the plaintext is one buffer of its own size (a sink can then transfer it without a copy).
async function cbcDecrypt(key, iv, ciphertext) {
  const total = ciphertext.byteLength;
  const lastStart = Math.max(0, Math.ceil(total / CBC_PIECE_BYTES) - 1) * CBC_PIECE_BYTES;
  let tail;
  try {
    tail = new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: chainBefore(iv, ciphertext, lastStart) },
      key, ciphertext.subarray(lastStart)));
  } catch (error) {
    if (error instanceof DOMException && error.name === "OperationError") return undefined;
    throw error;
  }
  const plaintext = new Uint8Array(lastStart + tail.byteLength);
  plaintext.set(tail, lastStart);
  for (let offset = 0; offset < lastStart; offset += CBC_PIECE_BYTES) {
    const end = offset + CBC_PIECE_BYTES;
    const padding = await subtle.encrypt({ name: "AES-CBC", iv: ciphertext.slice(end - BLOCK_BYTES, end) },
      key, new Uint8Array(0));
    // The piece and its padding block are one input: the block is written over the next piece's
    // first block for as long as WebCrypto takes to copy its input (before `decrypt` returns).
    const next = ciphertext.slice(end, end + BLOCK_BYTES);
    ciphertext.set(new Uint8Array(padding), end);
    const piece = subtle.decrypt({ name: "AES-CBC", iv: chainBefore(iv, ciphertext, offset) }, key,
      ciphertext.subarray(offset, end + BLOCK_BYTES));
    ciphertext.set(next, end);
    plaintext.set(new Uint8Array(await piece), offset);
  }
  return plaintext;
}

// The IV of the CBC piece starting at `offset`: the ciphertext block before it.
function chainBefore(iv, ciphertext, offset) {
  return offset === 0 ? iv : ciphertext.slice(offset - BLOCK_BYTES, offset);
}

// The inverse of sealInto, in `layout` = macPrefix | ciphertext: the plaintext, or undefined when
// the tag is wrong (nothing is decrypted then) or the padding is. `subtle.verify` compares the
// tags in constant time.
async function openIn(layout, encKey, macKey, iv, prefixLength, tag) {
  if (!(await subtle.verify("HMAC", macKey, tag, layout))) return undefined;
  return cbcDecrypt(encKey, iv, layout.subarray(prefixLength));
}

// undefined (None in Python) for any failure: Python turns it into its one IntegrityError.
export async function verifyThenDecrypt(encKey, macKey, iv, macPrefix, ciphertext, tag) {
  // The one copy on this thread: the MAC's input laid out in one buffer (WebCrypto takes one).
  const layout = take(macPrefix.byteLength + ciphertext.byteLength);
  layout.set(macPrefix, 0);
  layout.set(ciphertext, macPrefix.byteLength);
  if (!(await offloaded(ciphertext.byteLength))) {
    const plaintext = await openIn(layout, encKey, macKey, iv, macPrefix.byteLength, tag);
    release(layout);
    return plaintext;
  }
  const answer = await helperCall("open", { encKey, macKey, iv, tag, buffer: layout.buffer,
    length: layout.byteLength, prefixLength: macPrefix.byteLength }, [layout.buffer]);
  release(new Uint8Array(answer.buffer));
  if (!answer.plaintext) return undefined;
  const plaintext = new Uint8Array(answer.plaintext);
  leafMemo.set(plaintext, answer.leaves);
  return plaintext;
}

// Many small boxes at once (a listing's wrapped keys, then its metadata): one crossing from
// Python for the lot, where a box at a time cost several each (~0.6 ms a document, measured in a
// folder of 2,000). The Python side packs them into one buffer, each as enc key (32) | MAC key
// (32) | IV (16) | tag (32) | u32be MAC prefix length | u32be ciphertext length | MAC prefix |
// ciphertext, the last two being the MAC's input as they lie. The answer is packed likewise: for
// each box, u8 1 | u32be length | plaintext, or u8 0 | u32be 0 where the tag or the padding is
// wrong (Python turns that into its one IntegrityError).
export async function verifyThenDecryptMany(packed) {
  const fields = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const keys = new Map(); // one import per raw key: a listing's wrapped keys all share one
  const imported = (kind, raw, importer) => {
    const id = `${kind}:${raw.join(",")}`;
    if (!keys.has(id)) keys.set(id, importer(raw));
    return keys.get(id);
  };
  const boxes = [];
  for (let at = 0; at < packed.byteLength;) {
    const prefixLength = fields.getUint32(at + 112);
    const start = at + 120;
    const end = start + prefixLength + fields.getUint32(at + 116);
    boxes.push({ encRaw: packed.subarray(at, at + 32), macRaw: packed.subarray(at + 32, at + 64),
      iv: packed.subarray(at + 64, at + 80), tag: packed.subarray(at + 80, at + 112),
      macInput: packed.subarray(start, end), ciphertext: packed.subarray(start + prefixLength, end) });
    at = end;
  }
  const opened = await Promise.all(boxes.map(async (box) => {
    const [encKey, macKey] = await Promise.all([imported("aes", box.encRaw, importAesKey),
      imported("hmac", box.macRaw, importHmacKey)]);
    if (!(await subtle.verify("HMAC", macKey, box.tag, box.macInput))) return undefined;
    try {
      return new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv: box.iv }, encKey, box.ciphertext));
    } catch (error) {
      if (error instanceof DOMException && error.name === "OperationError") return undefined; // padding
      throw error;
    }
  }));
  const answer = new Uint8Array(opened.reduce((total, plaintext) => total + 5 + (plaintext?.byteLength ?? 0), 0));
  const out = new DataView(answer.buffer);
  let at = 0;
  for (const plaintext of opened) {
    answer[at] = plaintext ? 1 : 0;
    out.setUint32(at + 1, plaintext?.byteLength ?? 0);
    if (plaintext) answer.set(plaintext, at + 5);
    at += 5 + (plaintext?.byteLength ?? 0);
  }
  return answer;
}

// zlib's CRC-32, continuing from `value`: the checksum of a document in a ZIP archive
// (webclient/vault/archive.py). Eight bytes a step through eight tables ("slicing-by-8").
const CRC_TABLES = (() => {
  const tables = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n += 1) {
    for (let t = 1; t < 8; t += 1) {
      const previous = tables[(t - 1) * 256 + n];
      tables[t * 256 + n] = tables[previous & 0xff] ^ (previous >>> 8);
    }
  }
  return tables;
})();

export function crc32(data, value) {
  const t = CRC_TABLES;
  const length = data.length;
  const whole = length - (length % 8);
  let crc = ~value;
  let i = 0;
  for (; i < whole; i += 8) {
    const low = crc ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    crc = t[1792 + (low & 0xff)] ^ t[1536 + ((low >>> 8) & 0xff)] ^ t[1280 + ((low >>> 16) & 0xff)]
      ^ t[1024 + (low >>> 24)] ^ t[768 + data[i + 4]] ^ t[512 + data[i + 5]] ^ t[256 + data[i + 6]]
      ^ t[data[i + 7]];
  }
  for (; i < length; i += 1) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

export async function sha256(data) {
  return digests.get(data) ?? new Uint8Array(await subtle.digest("SHA-256", data));
}

// The SHA-256 of each leafSize piece, concatenated (32 bytes per leaf).
export async function leafHashes(data, leafSize) {
  const known = leafMemo.get(data);
  if (known && leafSize === LEAF_BYTES) return known;
  return leafHashesHere(data, leafSize);
}

async function leafHashesHere(data, leafSize) {
  const pieces = [];
  for (let start = 0; start < data.byteLength; start += leafSize) {
    pieces.push(subtle.digest("SHA-256", data.subarray(start, start + leafSize)));
  }
  const hashes = await Promise.all(pieces);
  const out = new Uint8Array(32 * hashes.length);
  hashes.forEach((hash, index) => out.set(new Uint8Array(hash), 32 * index));
  return out;
}

export async function pbkdf2Sha256(password, salt, iterations) {
  const base = await subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, base, 256);
  return new Uint8Array(bits);
}

// Bytes start..end of a Blob (a File): fewer only if the file shrank. A fresh buffer per chunk,
// not a reused one through a byte stream's BYOB reader: in Chromium 156, BYOB reads of Blob
// streams stalled for good now and then, even one at a time (seen in a bare page, then as an
// upload that never finished in the browser tests), and a stalled read is an upload that waits
// for ever with nothing to report.
export async function readBlob(blob, start, end) {
  if (!(await offloaded(end - start))) {
    return new Uint8Array(await blob.slice(start, end).arrayBuffer());
  }
  const answer = await helperCall("read", { blob, start, end });
  const data = new Uint8Array(answer.buffer);
  leafMemo.set(data, answer.leaves);
  return data;
}

// One HTTP exchange. Resolves to {ok: true, status, headers: [[name, value]...], body: Uint8Array}
// for any answer, to {ok: true, tooLarge: true} for one whose body is over maxAnswer bytes (a
// hostile server's, which must not fill the page's memory first), and to {ok: false, error} when
// none arrived (network failure, timeout), which Python turns into TransportError.
export async function httpRequest(method, url, headers, body, timeoutMs, maxAnswer) {
  let response;
  let payload;
  try {
    response = await fetch(url, {
      method,
      headers: Object.fromEntries(headers),
      body: body ?? undefined,
      cache: "no-store",
      credentials: "same-origin",
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // The browser holds a body to its declared length; one without a length is counted as it comes.
    const declared = response.headers.get("content-length");
    if (declared === null) {
      payload = await cappedBody(response.body, maxAnswer);
    } else if (Number(declared) <= maxAnswer) {
      payload = await response.arrayBuffer();
    } else {
      response.body?.cancel();
    }
  } catch (error) {
    return { ok: false, error: error.name || "NetworkError" };
  }
  if (payload === undefined) return { ok: true, tooLarge: true };
  if (await offloaded(payload.byteLength)) {
    // Python checks the response's signature over its SHA-256 first thing.
    const answer = await helperCall("digest", { buffer: payload }, [payload]);
    payload = new Uint8Array(answer.buffer);
    digests.set(payload, answer.digest);
  } else {
    payload = new Uint8Array(payload);
  }
  return { ok: true, status: response.status, headers: [...response.headers], body: payload };
}

// A body of unknown length read piece by piece: undefined once it is over maxAnswer bytes.
async function cappedBody(stream, maxAnswer) {
  if (stream === null) return new ArrayBuffer(0);
  const pieces = [];
  let received = 0;
  const reader = stream.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    received += read.value.byteLength;
    if (received > maxAnswer) {
      reader.cancel();
      return undefined;
    }
    pieces.push(read.value);
  }
  const whole = new Uint8Array(received);
  let offset = 0;
  for (const piece of pieces) {
    whole.set(piece, offset);
    offset += piece.byteLength;
  }
  return whole.buffer;
}

// --- The helper's side ----------------------------------------------------------------------------
// A helper answers {id, op, args} with {id, result} (its buffers transferred) or {id, error}.

const operations = {
  async read({ blob, start, end }) {
    const buffer = await blob.slice(start, end).arrayBuffer();
    const leaves = await leafHashesHere(new Uint8Array(buffer), LEAF_BYTES);
    return [{ buffer, leaves }, [buffer]];
  },
  async seal({ encKey, macKey, iv, macPrefix, header, buffer, size, length }) {
    const layout = new Uint8Array(buffer, 0, size);
    const plaintext = layout.subarray(macPrefix.byteLength, macPrefix.byteLength + length);
    const sealed = await sealInto(layout, encKey, macKey, iv, macPrefix, header, plaintext);
    const digest = new Uint8Array(await subtle.digest("SHA-256", sealed));
    return [{ buffer, start: sealed.byteOffset, length: sealed.byteLength, digest }, [buffer]];
  },
  async digest({ buffer }) {
    return [{ buffer, digest: new Uint8Array(await subtle.digest("SHA-256", buffer)) }, [buffer]];
  },
  async open({ encKey, macKey, iv, tag, buffer, length, prefixLength }) {
    const plaintext = await openIn(new Uint8Array(buffer, 0, length), encKey, macKey, iv, prefixLength, tag);
    if (!plaintext) return [{ buffer }, [buffer]];
    const leaves = await leafHashesHere(plaintext, LEAF_BYTES);
    return [{ buffer, plaintext: plaintext.buffer, leaves }, [buffer, plaintext.buffer]];
  },
};

if (inHelper) {
  self.onmessage = async ({ data }) => {
    try {
      const [result, transfer] = await operations[data.op](data.args);
      self.postMessage({ id: data.id, result }, transfer);
    } catch (error) {
      self.postMessage({ id: data.id, error: { name: error.name || "Error", message: String(error.message) } });
    }
  };
  self.postMessage({ ready: true });
}
