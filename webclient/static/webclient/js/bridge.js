// The JavaScript half of the Pyodide backends (webclient/vault/backends/pyodide.py).
// Python runs the protocol; these functions move and transform the bulk bytes, which stay in
// Uint8Arrays on the JavaScript side: WebCrypto for AES-CBC, HMAC, SHA-256 and PBKDF2, fetch for
// HTTP, `Blob.arrayBuffer` for reading files. Python holds only proxies to the arrays.

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

export function importAesKey(raw) {
  return subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
}

export function importHmacKey(raw) {
  return subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
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

// Encrypt-then-MAC in place: the ciphertext is laid out after `macPrefix` in one (reused)
// buffer, the tag is computed over that and appended, then `header` is written over the end of
// the prefix, so that the box is a view of the same buffer: no copy of the chunk for the MAC's
// input, none for the box.
export async function encryptThenMac(encKey, macKey, iv, macPrefix, header, plaintext) {
  const macEnd = macPrefix.byteLength + (Math.floor(plaintext.byteLength / BLOCK_BYTES) + 1) * BLOCK_BYTES;
  const layout = take(macEnd + TAG_BYTES);
  layout.set(macPrefix, 0);
  await cbcEncryptInto(encKey, iv, plaintext, layout.subarray(macPrefix.byteLength, macEnd));
  layout.set(new Uint8Array(await subtle.sign("HMAC", macKey, layout.subarray(0, macEnd))), macEnd);
  const start = macPrefix.byteLength - header.byteLength;
  layout.set(header, start);
  return layout.subarray(start);
}

// undefined (None in Python) for bad padding: Python turns it into its one IntegrityError.
export async function aesCbcDecrypt(key, iv, data) {
  try {
    return new Uint8Array(await subtle.decrypt({ name: "AES-CBC", iv }, key, data));
  } catch (error) {
    if (error instanceof DOMException && error.name === "OperationError") return undefined;
    throw error;
  }
}

function concat(parts) {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = take(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export async function hmacSha256(key, parts) {
  const data = concat(parts);
  const signing = subtle.sign("HMAC", key, data); // WebCrypto copies its input before returning
  if (parts.length > 1) release(data);
  return new Uint8Array(await signing);
}

export async function sha256(data) {
  return new Uint8Array(await subtle.digest("SHA-256", data));
}

// The SHA-256 of each leafSize piece, concatenated (32 bytes per leaf).
export async function leafHashes(data, leafSize) {
  const pieces = [];
  for (let start = 0; start < data.byteLength; start += leafSize) {
    pieces.push(subtle.digest("SHA-256", data.subarray(start, start + leafSize)));
  }
  const digests = await Promise.all(pieces);
  const out = new Uint8Array(32 * digests.length);
  digests.forEach((digest, index) => out.set(new Uint8Array(digest), 32 * index));
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
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}

// One HTTP exchange. Resolves to {ok: true, status, headers: [[name, value]...], body: Uint8Array}
// for any answer, and to {ok: false, error} when none arrived (network failure, timeout), which
// Python turns into TransportError.
export async function httpRequest(method, url, headers, body, timeoutMs) {
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
    payload = new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    return { ok: false, error: error.name || "NetworkError" };
  }
  return { ok: true, status: response.status, headers: [...response.headers], body: payload };
}
