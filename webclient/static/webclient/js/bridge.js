// The JavaScript half of the Pyodide backends (webclient/vault/backends/pyodide.py).
// Python runs the protocol; these functions move and transform the bulk bytes, which stay in
// Uint8Arrays on the JavaScript side: WebCrypto for AES-CBC, HMAC, SHA-256 and PBKDF2, fetch for
// HTTP, Blob slices for reading files. Python holds only proxies to the arrays.

const subtle = crypto.subtle;

export function importAesKey(raw) {
  return subtle.importKey("raw", raw, { name: "AES-CBC" }, false, ["encrypt", "decrypt"]);
}

export function importHmacKey(raw) {
  return subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

export async function aesCbcEncrypt(key, iv, data) {
  return new Uint8Array(await subtle.encrypt({ name: "AES-CBC", iv }, key, data));
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

export function concat(parts) {
  if (parts.length === 1) return parts[0];
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export async function hmacSha256(key, parts) {
  return new Uint8Array(await subtle.sign("HMAC", key, concat(parts)));
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
