// The vault page: log in or sign up, then folders, documents and transfers. The cryptography and
// the protocol all run in the worker, in the Python client core; this module shows and asks.
// Every sentence goes through Django's JavaScript catalogue (gettext), like the templates.
/* global gettext, ngettext, interpolate, bootstrap */

const root = document.getElementById("vault-app");
const config = JSON.parse(root.dataset.config);
const { CHUNK_SIZE, DiagnosticLog, Saver, VaultError, VaultWorker } = await import(config.client);

const $ = (id) => document.getElementById(id);
const lang = document.documentElement.lang || "en";
const log = new DiagnosticLog();
log.add("info", "page.load", `ms_since_navigation=${Math.round(performance.now())}`);
document.addEventListener("securitypolicyviolation", (event) => {
  log.add("error", "csp.violation", `${event.effectiveDirective} ${event.blockedURI}`);
});
const vault = new VaultWorker(config, log);
const saver = new Saver(vault, config, log);

const PRINTABLE_ASCII = /^[\x20-\x7e]{1,255}$/;
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
const MIN_NEW_PASSWORD = 8;
// Uploads run side by side within a budget of chunks in flight: a file takes as many as it may
// have in flight at once (up to four, webclient/browser.py's CONCURRENCY), so two large files run
// at a time, as many as eight of one chunk. Memory stays bounded by the chunks; a file of one
// chunk is mostly round trips (create, store, commit), which overlap. (Counted once, when the
// file is queued: reading each File's size whenever the queue moved cost the page half a second
// of its thread over 300 files, measured.)
const CHUNK = 4 * 1024 * 1024;
const UPLOAD_CHUNK_BUDGET = 8;
const chunksInFlight = (file) => Math.min(4, Math.max(1, Math.ceil(file.size / CHUNK)));

// --- words -------------------------------------------------------------------------------------------

const MESSAGES = {
  bad_credentials: gettext("Wrong username or password."),
  wrong_password: gettext("That is not your current password."),
  username_taken: gettext("This username is taken. Please choose another one."),
  invalid_username: gettext("The username must be 1 to 255 printable ASCII characters."),
  confirm_mismatch: gettext("The username you typed does not match."),
  network: gettext("The server cannot be reached. Check your connection and try again."),
  integrity: gettext("Integrity check failed: this document was altered or damaged on the server, so it was refused. Nothing was saved."),
  // The same failure where nothing was to be saved: a check, a preview.
  integrity_checked: gettext("Integrity check failed: this document was altered or damaged on the server."),
  // A folder's listing opens every document's key and metadata: one that does not open refuses it.
  listing_integrity: gettext("Integrity check failed: a document or folder here was altered or damaged on the server, so this folder cannot be shown."),
  quota_exceeded: gettext("Your storage is full. Delete something to make room."),
  metadata_quota_exceeded: gettext("Your vault holds as many files and folders as it can. Delete some to make room."),
  storage_full: gettext("The server's storage is full. Please try again later."),
  folder_cycle: gettext("A folder cannot be moved into itself or into one of its own folders."),
  folder_not_empty: gettext("This folder is not empty."),
  id_taken: gettext("Something with the same identifier already exists. Please try again."),
  not_found: gettext("This is no longer in your vault: it may have been deleted or moved from another device."),
  cancelled: gettext("Cancelled."),
  preview_undecodable: gettext("This image could not be shown: the browser cannot decode it. Download it instead."),
  save_failed: gettext("The browser did not accept the download. Please try again."),
  source_changed: gettext("The file changed while it was being uploaded. Upload it again."),
  body_too_large: gettext("The server refused the request as too large."),
  boot_failed: gettext("The encryption engine could not start in this browser. Reload the page to try again."),
  weak_kdf: gettext("The server asked for a weaker password protection than this vault accepts. Nothing was sent."),
  bad_server_proof: gettext("The server could not prove that it knows your account. Nothing was sent."),
  bad_response_signature: gettext("An answer from the server failed its signature check and was refused."),
  bad_response: gettext("The server sent an answer this vault does not understand."),
  storage_unavailable: gettext("The server is temporarily unavailable. Please try again in a moment."),
  database_unavailable: gettext("The server is temporarily unavailable. Please try again in a moment."),
  chunk_busy: gettext("The server is temporarily unavailable. Please try again in a moment."),
  not_logged_in: gettext("Your session has ended. Please log in again."),
  session_expired: gettext("Your session has ended. Please log in again."),
  credentials_changed: gettext("Your password was changed on another device or in another tab, or your account was erased. Please log in again."),
};

// If `error` means this page's session is over, leaves the vault saying why and returns true.
function endedSession(error) {
  const code = error instanceof VaultError ? error.code : null;
  if (code !== "credentials_changed" && !["not_logged_in", "session_expired", "bad_credentials"].includes(code)) return false;
  if (!state.account) return true; // left already, by another failure of the same cause
  if (code === "credentials_changed") {
    // The password this page logged in with no longer opens the account: nothing more can be
    // done here, and the keys it holds are forgotten (logOut stops the other transfers too).
    logOut(MESSAGES.credentials_changed);
  } else {
    document.querySelectorAll(".modal.show").forEach(hideModal);
    leaveVault(MESSAGES.not_logged_in);
  }
  return true;
}

// Deleted (or moved out of reach) from another tab or device since this page listed it.
const isGone = (error) => error instanceof VaultError && error.code === "not_found";

function message(error) {
  const info = error instanceof VaultError ? error.info : { code: error?.name === "AbortError" ? "cancelled" : "unexpected" };
  if (info.code === "rate_limited") {
    // In minutes or hours where it is that long: a locked login waits up to 15 minutes, a signup an hour.
    return interpolate(gettext("Too many attempts. Please wait %(duration)s and try again."),
      { duration: formatDuration(info.retry_after || 60) }, true);
  }
  return MESSAGES[info.code] || interpolate(gettext("Something went wrong (%(code)s). Please try again."), { code: info.code }, true);
}

// Made once: a formatter is far dearer to make than to use, and a listing formats thousands.
const numberFormats = new Map();
function numberFormat(unit, options) {
  const key = JSON.stringify([unit, options]);
  if (!numberFormats.has(key)) numberFormats.set(key, new Intl.NumberFormat(lang, { style: "unit", unit, ...options }));
  return numberFormats.get(key);
}

function formatBytes(bytes) {
  const units = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte"];
  let unit = 0;
  while (bytes >= 1000 && unit < units.length - 1) {
    bytes /= 1000;
    unit += 1;
  }
  return numberFormat(units[unit], { unitDisplay: unit ? "short" : "long", maximumFractionDigits: unit ? 1 : 0 })
    .format(bytes);
}

function formatSpeed(bytesPerSecond) {
  const units = ["kilobyte-per-second", "megabyte-per-second", "gigabyte-per-second"];
  let value = bytesPerSecond / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return numberFormat(units[unit], { maximumFractionDigits: 1 }).format(value);
}

function formatDuration(seconds) {
  const [value, unit] = seconds < 90 ? [Math.max(1, Math.round(seconds)), "second"]
    : seconds < 5400 ? [Math.round(seconds / 60), "minute"] : [Math.round(seconds / 3600), "hour"];
  return numberFormat(unit, { unitDisplay: "long" }).format(value);
}

const dateFormat = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });

// --- small helpers -------------------------------------------------------------------------------------

async function call(op, args = {}, extra = {}, transfer = []) {
  await vault.ready;
  return vault.call(op, args, extra, transfer);
}

// Failures that last only as long as the server cannot be reached or is busy: their alert goes
// once a listing comes through again.
const PASSING_FAILURES = new Set(["network", "storage_unavailable", "database_unavailable", "chunk_busy",
  "cache_unavailable"]);

function showAlert(text, kind = "danger", { passing = false } = {}) {
  // One alert per text: the same failure again (a click, then a refresh) is said once, as the latest.
  for (const shown of [...$("page-alerts").children]) if (shown.dataset.text === text) shown.remove();
  const alert = document.createElement("div");
  alert.dataset.text = text;
  if (passing) alert.dataset.passing = "";
  alert.className = `alert alert-${kind} alert-dismissible fade show`;
  alert.setAttribute("role", kind === "danger" ? "alert" : "status");
  alert.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close";
  close.dataset.bsDismiss = "alert";
  close.setAttribute("aria-label", gettext("Close"));
  alert.append(close);
  $("page-alerts").append(alert);
}

function clearAlerts() {
  $("page-alerts").replaceChildren();
}

function formError(form, text) {
  const box = form.querySelector(".form-error");
  box.textContent = text || "";
  box.hidden = !text;
}

// Disabling the focused submit button drops the focus to the page; it comes back once the button
// is usable again, if nothing else took it meanwhile and the form is still shown.
function setBusy(form, busy) {
  const button = form.querySelector("[type=submit]");
  if (busy) button.dataset.hadFocus = document.activeElement === button ? "true" : "";
  button.disabled = busy;
  const indicator = button.querySelector(".busy-indicator");
  if (indicator) indicator.hidden = !busy;
  if (!busy && button.dataset.hadFocus && document.activeElement === document.body && button.offsetParent) button.focus();
}

function checkCredential(value, what) {
  if (PRINTABLE_ASCII.test(value)) return null;
  if (!value) return what === "username" ? gettext("Please enter a username.") : gettext("Please enter a password.");
  return what === "username"
    ? gettext("The username must be 1 to 255 characters: letters, digits, spaces and punctuation without accents.")
    : gettext("The password must be 1 to 255 characters: letters, digits, spaces and punctuation without accents.");
}

// A new password may hold printable ASCII only (webclient/vault/keys.py): one that holds any other
// character is said to be unusable as soon as it is typed, not rated, and refused before anything
// else about it. Which character it was is not said: the field hides what is typed.
const unusablePassword = () => gettext("Characters such as ä, é, ß or emoji cannot be used in a password: only letters without accents, digits, spaces and punctuation.");

// A rough estimate, for guidance only: length times the variety of characters used.
function passwordStrength(password) {
  if (!password) return null;
  if (NOT_PRINTABLE_ASCII.test(password)) return { level: 0, text: unusablePassword(), unusable: true };
  let pool = 0;
  if (/[a-z]/.test(password)) pool += 26;
  if (/[A-Z]/.test(password)) pool += 26;
  if (/[0-9]/.test(password)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(password)) pool += 33;
  const variety = Math.min(1, new Set(password).size / Math.max(4, password.length * 0.6));
  const bits = password.length * Math.log2(Math.max(pool, 2)) * variety;
  if (bits < 40) return { level: 1, text: gettext("Very weak: easy to guess. Make it much longer."), color: "bg-danger" };
  if (bits < 60) return { level: 2, text: gettext("Weak: make it longer."), color: "bg-danger" };
  if (bits < 80) return { level: 3, text: gettext("Fair: a few more words or characters would help."), color: "bg-warning" };
  if (bits < 100) return { level: 4, text: gettext("Good."), color: "bg-info" };
  return { level: 5, text: gettext("Strong."), color: "bg-success" };
}

function watchStrength(input) {
  const container = input.parentElement;
  const bar = container.querySelector(".strength-meter .progress-bar");
  const text = container.querySelector(".strength-text");
  input.addEventListener("input", () => {
    const strength = passwordStrength(input.value);
    bar.className = `progress-bar ${strength?.color || ""}`;
    bar.style.width = `${(strength?.level || 0) * 20}%`;
    text.textContent = strength ? strength.text : "";
    // Bootstrap's invalid field: a red border and a mark in it, beside the words.
    input.classList.toggle("is-invalid", Boolean(strength?.unusable));
    input.setAttribute("aria-invalid", String(Boolean(strength?.unusable)));
    text.classList.toggle("text-danger-emphasis", Boolean(strength?.unusable));
  });
}

// What is only warned about (a weak password, a username with a space at an end) is refused once
// with its warning, and taken if the same value is submitted again: remembered here, in the
// page's memory only, per form and kind of warning.
const acceptedAfterWarning = new WeakMap(); // form → {kind: the value warned about}

function warnOnce(form, kind, value, text) {
  const accepted = acceptedAfterWarning.get(form) ?? {};
  acceptedAfterWarning.set(form, accepted);
  if (accepted[kind] === value) return null;
  accepted[kind] = value;
  return text;
}

// What is wrong with a new password that must be mended; a weak one is only warned about, last
// (weakPasswordWarning), so that submitting it again means taking it. Its copy typed again is
// checked after it (passwordsDiffer).
function checkNewPassword(password) {
  if (NOT_PRINTABLE_ASCII.test(password)) return unusablePassword();
  if (password.length < MIN_NEW_PASSWORD) {
    return interpolate(gettext("Please use at least %(count)s characters."), { count: MIN_NEW_PASSWORD }, true);
  }
  return checkCredential(password, "password"); // longer than 255 characters
}

const passwordsDiffer = (password, confirm) => password !== confirm && gettext("The two passwords differ.");

// The first of [field, check] pairs whose check finds a problem: [field, its words], or [].
function firstProblem(checks) {
  for (const [field, check] of checks) {
    const problem = check();
    if (problem) return [field, problem];
  }
  return [];
}

// A submitted form's problem: said in its alert, and the field it is about marked invalid (so
// named to a screen reader) and focused, until that field changes or the form is sent again.
function fieldProblem(form, field, text) {
  clearFieldProblems(form);
  formError(form, text);
  field.dataset.problem = "";
  field.classList.add("is-invalid");
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

function clearFieldProblems(form, only = null) {
  for (const field of form.querySelectorAll("[data-problem]")) {
    if (only && field !== only) continue;
    delete field.dataset.problem;
    field.classList.remove("is-invalid");
    field.setAttribute("aria-invalid", "false");
    // A new password marks itself while it holds a character it may not: let it say so again.
    if (field.classList.contains("password-new")) field.dispatchEvent(new Event("input"));
  }
}

// A weak password is the only key to everything in the vault, and nobody can reset it.
function weakPasswordWarning(password, form) {
  if (passwordStrength(password).level > 2) return null;
  return warnOnce(form, "weak-password", password, gettext("This password is easy to guess, and it is the only key to your vault: nobody can reset it. Choose a longer one, or submit it again to use it anyway."));
}

// A username is taken exactly as typed (DESIGN §1), spaces at its ends too, and a login must
// type them again: one added by mistake (a phone keyboard puts one after a suggested word) would
// seem to lose the account.
function spacedUsernameWarning(username, form) {
  if (username === username.trim()) return null;
  return warnOnce(form, "spaced-username", username, gettext("This username begins or ends with a space, which you would have to type at every login. Remove it, or submit again to keep it."));
}

// --- the encryption engine's status -------------------------------------------------------------------

const engineText = $("engine-status").querySelector(".engine-text");
vault.ready.then(() => {
  engineText.textContent = gettext("Encryption engine ready.");
  $("engine-status").classList.add("ready");
  performance.mark("anoni:vault-ready");
}, () => {
  engineText.textContent = MESSAGES.boot_failed;
  $("engine-status").classList.add("ready", "text-danger");
});

// --- logging in and signing up ----------------------------------------------------------------------------

const state = { account: null, current: null, folders: [], documents: [] };

async function openVault(form, op, args) {
  formError(form, null);
  clearAlerts();
  setBusy(form, true);
  const label = form.querySelector(".button-label");
  const original = label.textContent;
  if (!$("engine-status").classList.contains("ready")) label.textContent = gettext("Starting the encryption engine…");
  try {
    await vault.ready;
    label.textContent = gettext("Deriving your keys…");
    const account = await call(op, args);
    form.reset();
    form.querySelectorAll(".password-new").forEach((input) => input.dispatchEvent(new Event("input")));
    showVault(account);
  } catch (error) {
    if (error instanceof VaultError && error.code === "username_taken") fieldProblem(form, form.elements.username, message(error));
    else formError(form, message(error));
  } finally {
    label.textContent = original;
    setBusy(form, false);
  }
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { username, password } = form.elements;
  clearFieldProblems(form);
  const [field, problem] = firstProblem([
    [username, () => checkCredential(username.value, "username")],
    [password, () => checkCredential(password.value, "password")],
  ]);
  if (problem) return fieldProblem(form, field, problem);
  openVault(form, "login", { username: username.value, password: password.value });
});

$("signup-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = event.currentTarget;
  const { username, password, confirm, understood } = form.elements;
  clearFieldProblems(form);
  // What must be mended first, the warning about a weak password last (see checkNewPassword).
  const [field, problem] = firstProblem([
    [username, () => checkCredential(username.value, "username")],
    [password, () => checkNewPassword(password.value)],
    [confirm, () => passwordsDiffer(password.value, confirm.value)],
    [understood, () => !understood.checked && gettext("Please confirm that you understand that nobody can recover your password.")],
    [username, () => spacedUsernameWarning(username.value, form)],
    [password, () => weakPasswordWarning(password.value, form)],
  ]);
  if (problem) return fieldProblem(form, field, problem);
  openVault(form, "signup", { username: username.value, password: password.value });
});

// A field marked by a problem is unmarked once it changes. Capturing: before a new password's own
// check of its characters, which marks it as it finds it.
document.addEventListener("input", (event) => {
  if (event.target.form) clearFieldProblems(event.target.form, event.target);
}, { capture: true });

document.querySelectorAll(".password-new").forEach(watchStrength);
for (const form of [$("login-form"), $("signup-form")]) form.querySelector("[type=submit]").disabled = false;
performance.mark("anoni:login-usable");

// A reload, or a link followed and then Back, ends the session: the keys lived in the page's
// memory only. The login form says so, or the person wonders where the vault went. The tab's
// sessionStorage keeps that a vault was open, nothing of the account.
const VAULT_OPEN_KEY = "anoni.vault-open";
function rememberVaultOpen(open) {
  try {
    if (open) sessionStorage.setItem(VAULT_OPEN_KEY, "1");
    else sessionStorage.removeItem(VAULT_OPEN_KEY);
  } catch {
    // storage disabled: a reload goes unexplained
  }
}
try {
  if (sessionStorage.getItem(VAULT_OPEN_KEY)) {
    rememberVaultOpen(false);
    showAlert(gettext("The page was reloaded or left while your vault was open, and the keys it held in memory are gone. Please log in again."), "info");
  }
} catch {
  // storage disabled
}

function showVault(account) {
  state.account = account;
  lastActivity = Date.now();
  state.current = null;
  shownFolder = null;
  $("vault-username").textContent = account.username;
  rememberVaultOpen(true);
  $("auth-view").hidden = true;
  // "Encryption engine ready" is for whoever waits to log in: in the vault it only took room.
  $("engine-status").hidden = true;
  $("vault-view").hidden = false;
  // A new view, shown from its top (not from wherever the longer signup form was scrolled to),
  // at once: Bootstrap makes scrolling smooth.
  window.scrollTo({ top: 0, behavior: "instant" });
  $("vault-title").focus({ preventScroll: true });
  refresh();
}

function leaveVault(text) {
  // Files still waiting their turn must not go into whichever account opens next.
  for (const job of uploads.splice(0)) job.row.finish(MESSAGES.cancelled, "cancelled");
  cancelRefreshes();
  setUnfinished([]);
  state.account = null;
  state.folders = [];
  state.documents = [];
  selection.clear();
  nameFilter.value = "";
  hideSearchResults();
  $("listing").replaceChildren();
  drawnRows = new Map();
  $("breadcrumbs").replaceChildren();
  crumbsDrawnFrom = null;
  $("selection-bar").hidden = true;
  $("transfer-list").replaceChildren();
  $("transfers").hidden = true;
  summary.unseenFailures = 0;
  summary.draw();
  rememberVaultOpen(false);
  forgetAccountInPage();
  $("vault-view").hidden = true;
  $("auth-view").hidden = false;
  $("engine-status").hidden = false;
  clearAlerts();
  // A failed login's words from before this session are not its end's.
  for (const form of [$("login-form"), $("signup-form")]) {
    formError(form, null);
    clearFieldProblems(form);
  }
  if (text) showAlert(text, "info");
  // After a sign-up the other tab is the one shown, and a hidden field takes no focus.
  bootstrap.Tab.getOrCreateInstance($("login-tab")).show();
  $("login-username").focus();
}

// The page says the keys are erased once the vault is left: names, the username and what was
// typed in dialogs go too, from hidden elements that a screen reader or the next person at the
// computer could still reach (the last upload's "name: Encrypted and stored." was read out on the
// login screen). A dialog still open (an idle logout) closes.
const NAME_HOLDERS = ["vault-username", "transfer-announcer", "name-dialog-title", "move-dialog-title",
  "move-dialog-select", "preview-dialog-title"];
const NAME_HOLDERS_IN_DIALOGS = [".delete-dialog-text", ".logout-dialog-text", ".conflict-dialog-text",
  ".conflict-dialog-names", ".unfinished-list"];

function forgetAccountInPage() {
  for (const element of document.querySelectorAll(".modal")) {
    if (element.classList.contains("show") || element.dataset.fadingIn) {
      // The focus, which the dialog keeps while it is shown, then goes to the login form.
      element.addEventListener("hidden.bs.modal", () => $("login-username").focus(), { once: true });
      hideModal(element);
    }
    element.querySelector("form")?.reset();
  }
  for (const id of NAME_HOLDERS) $(id).replaceChildren();
  for (const element of document.querySelectorAll(NAME_HOLDERS_IN_DIALOGS.join(", "))) element.replaceChildren();
}

// --- listing, breadcrumbs, storage -----------------------------------------------------------------------

const nameCollator = new Intl.Collator(lang, { numeric: true, sensitivity: "base" }); // made once, as above
const byName = (a, b) => nameCollator.compare(a.name, b.name);

// The listing's order, chosen with the column headings: folders always come first, by name
// (they have no size or date); documents by the column, ties by name.
const sorting = { key: "name", descending: false };
const documentOrder = {
  name: byName,
  size: (a, b) => a.size - b.size || byName(a, b),
  mtime: (a, b) => a.mtime - b.mtime || byName(a, b),
};

// Chosen with a heading, or, where the Size and Modified headings are hidden (a phone), with the
// sort select beside the filter: each shows the order that the other chose.
function sortBy(key, descending) {
  sorting.key = key;
  sorting.descending = descending;
  for (const button of document.querySelectorAll(".listing .sort-button")) {
    const heading = button.closest("th");
    if (button.dataset.sort === key) heading.setAttribute("aria-sort", descending ? "descending" : "ascending");
    else heading.removeAttribute("aria-sort");
  }
  $("sort-select").value = descending ? `${key} descending` : key;
  renderListing();
}

document.querySelector(".listing thead").addEventListener("click", (event) => {
  const key = event.target.closest(".sort-button")?.dataset.sort;
  if (key) sortBy(key, sorting.key === key ? !sorting.descending : false);
});

$("sort-select").addEventListener("change", (event) => {
  const [key, descending] = event.target.value.split(" ");
  sortBy(key, Boolean(descending));
});

function folderById(id) {
  return state.folders.find((folder) => folder.id === id);
}

function ancestry(id) {
  const chain = [];
  // No loop: the worker lists only folders that form a tree (Vault.list_folders).
  for (let folder = folderById(id); folder; folder = folderById(folder.parent)) chain.unshift(folder);
  return chain;
}

// Each refresh's number: only the latest one draws its answer, so a listing that was slow to
// come cannot show a folder's contents after the user opened another one.
let latestRefresh = 0;
let refreshing = Promise.resolve(); // the latest refresh, which a dialog's focus waits for

function refresh() {
  refreshing = listAndRender();
  return refreshing;
}

async function listAndRender() {
  const number = ++latestRefresh;
  refreshUnfinished();
  try {
    const data = await call("listing", { folder: state.current });
    if (number !== latestRefresh) return;
    Object.assign(state, { folders: data.folders, documents: data.documents, account: { ...state.account, ...data.account } });
    if (state.current && !folderById(state.current)) {
      state.current = null;
      return refresh();
    }
    document.querySelectorAll("#page-alerts [data-passing]").forEach((alert) => alert.remove());
    render();
  } catch (error) {
    if (number !== latestRefresh) return; // a later one says what matters now
    if (error instanceof VaultError && error.code === "not_found" && state.current) {
      // The folder was deleted elsewhere (another tab, another device): the top level instead,
      // or every refresh, upload and new folder would fail in it for good.
      state.current = null;
      showAlert(message(error));
      return refresh();
    }
    if (state.current !== shownFolder) {
      // The folder asked for could not be listed: the one on screen stays, and so must the vault,
      // or what is uploaded or created next would go where the person cannot see it.
      state.current = shownFolder;
      render();
    }
    if (error instanceof VaultError && error.code === "integrity") showAlert(MESSAGES.listing_integrity);
    else handleError(error);
  }
}

function handleError(error) {
  if (!endedSession(error)) showAlert(message(error), "danger", { passing: PASSING_FAILURES.has(error?.code) });
}

// The folder shown is listed again once uploads finish: one listing for however many finish
// meanwhile (not a debounce, which would put it off until the last file of a large folder was
// stored), never two at once, and each REFRESH_SPACING times as long after the last as that one
// took, between REFRESH_MIN_MS and REFRESH_MAX_MS. A listing costs the page, the worker and the
// server in proportion to the folder's size: at a fixed 300 ms, in a folder of a thousand files
// being uploaded, listing it again became much of the work (bench/small_files.py).
const REFRESH_MIN_MS = 300;
const REFRESH_MAX_MS = 10000;
const REFRESH_SPACING = 4;
let refreshTimer = null;
let refreshRunning = false;
let refreshWanted = false; // asked for while one ran: the next one goes after it
let lastRefreshMs = 0;

function refreshSoon() {
  if (refreshRunning) {
    refreshWanted = true;
    return;
  }
  const wait = Math.min(REFRESH_MAX_MS, Math.max(REFRESH_MIN_MS, REFRESH_SPACING * lastRefreshMs));
  refreshTimer ??= setTimeout(refreshNow, wait);
}

async function refreshNow() {
  refreshTimer = null;
  refreshRunning = true;
  const started = performance.now();
  try {
    await refresh();
  } finally {
    // (Not when the vault was left meanwhile: the next account starts afresh.)
    if (state.account) lastRefreshMs = performance.now() - started;
    refreshRunning = false;
    if (refreshWanted) {
      refreshWanted = false;
      refreshSoon();
    }
  }
}

// Leaving the vault: no listing asked for before may come after (it would fail, and say so).
function cancelRefreshes() {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  refreshWanted = false;
  lastRefreshMs = 0;
  latestRefresh += 1; // one under way is not drawn, nor its failure shown
}

function navigate(folderId) {
  state.current = folderId;
  selection.clear();
  nameFilter.value = "";
  hideSearchResults();
  renderSelection();
  shownWait(refresh()).then(() => $("breadcrumbs").querySelector("[aria-current]")?.focus());
}

// A wait the person asked for (a folder opened; files chosen, which are checked against the
// folder's listing before their rows show) shows a spinner beside the path once it is longer than
// WAIT_SHOWN_AFTER_MS: with a server slow to answer, nothing changed on screen for as long as it
// took, like a click that was lost, and the files were chosen again.
const WAIT_SHOWN_AFTER_MS = 400;
let waitsShown = 0;

async function shownWait(promise) {
  let shown = false;
  const timer = setTimeout(() => {
    shown = true;
    waitsShown += 1;
    $("server-wait").hidden = false;
  }, WAIT_SHOWN_AFTER_MS);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
    if (shown) {
      waitsShown -= 1;
      $("server-wait").hidden = waitsShown === 0;
    }
  }
}

// The folder whose contents are on screen (state.current once they are drawn). What the person
// does goes there: uploads, a new folder, a sort, a drag, an archive of the rows ticked. Until the
// listing of a folder just opened comes (seconds, from a slow server), they still see this one.
let shownFolder = null;

function render() {
  shownFolder = state.current;
  const focused = focusedPlace();
  renderBreadcrumbs();
  renderListing();
  renderStorage();
  if (focused && (!document.activeElement || document.activeElement === document.body)) {
    (document.querySelector(focused) ?? $("breadcrumbs").querySelector("[aria-current]"))?.focus();
  }
}

// The listing and the path are brought in line with each answer of the server (an upload ends,
// say), keeping what has not changed. A row or a folder of the path that changed is drawn anew:
// had it the focus, the focus would fall to the top of the page. It goes to the same control of
// the same row, or the same folder of the path, as drawn anew; failing that (the row is gone), to
// the folder's name in the path.
const ROW_CONTROLS = [".item-select", ".open-folder", ".open-document", ".item-actions"];

function focusedPlace() {
  const active = document.activeElement;
  const rowElement = active?.closest?.("#listing [data-id]");
  if (rowElement) {
    const control = ROW_CONTROLS.find((selector) => active.matches(selector)) ?? ".item-actions";
    return `#listing [data-id="${CSS.escape(rowElement.dataset.id)}"] ${control}`;
  }
  const crumb = active?.closest?.("#breadcrumbs [data-folder]");
  if (crumb) {
    const place = `#breadcrumbs [data-folder="${CSS.escape(crumb.dataset.folder)}"]`;
    return `${place} button, ${place}[aria-current]`;
  }
  return null;
}

// What the path was last drawn from: a path that has not changed is left as it is.
let crumbsDrawnFrom = null;

// A deep path shows its top, "…" and its last PATH_TAIL folders, until the "…" is pressed or
// another folder opened: eight levels filled eight lines of a phone's screen.
const PATH_TAIL = 3;
let pathExpandedFor; // the folder whose whole path is shown

function renderBreadcrumbs() {
  const crumbs = [{ id: null, name: gettext("Vault") }, ...ancestry(state.current)];
  if (pathExpandedFor !== state.current) pathExpandedFor = undefined; // another folder: folded again
  const collapsed = crumbs.length > PATH_TAIL + 2 && pathExpandedFor === undefined;
  const drawnFrom = JSON.stringify([collapsed, crumbs.map((crumb) => [crumb.id, crumb.name])]);
  if (drawnFrom === crumbsDrawnFrom) return;
  crumbsDrawnFrom = drawnFrom;
  const items = crumbs.map((crumb, index) => {
    const item = document.createElement("li");
    item.className = "breadcrumb-item";
    item.dataset.folder = crumb.id ?? ""; // where a row dragged onto it goes
    if (index === crumbs.length - 1) {
      item.classList.add("active");
      item.setAttribute("aria-current", "page");
      item.tabIndex = -1;
      item.textContent = crumb.name;
    } else {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link p-0 align-baseline";
      button.textContent = crumb.name;
      button.addEventListener("click", () => navigate(crumb.id));
      item.append(button);
    }
    return item;
  });
  if (collapsed) {
    const hidden = items.splice(1, items.length - 1 - PATH_TAIL);
    const item = document.createElement("li");
    item.className = "breadcrumb-item"; // no data-folder: nothing goes there by dragging
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link p-0 align-baseline";
    button.textContent = "…";
    button.setAttribute("aria-label", interpolate(ngettext("Show %(count)s more folder of the path",
      "Show %(count)s more folders of the path", hidden.length), { count: hidden.length }, true));
    button.addEventListener("click", () => {
      pathExpandedFor = state.current;
      renderBreadcrumbs();
      $("breadcrumbs").querySelectorAll("button")[1]?.focus(); // the first folder it showed
    });
    item.append(button);
    items.splice(1, 0, item);
  }
  $("breadcrumbs").replaceChildren(...items);
}

// The rows of the listing as drawn, by item key ("folder:<id>", "document:<id>"), each with what
// it was drawn from. A refresh keeps the row of an item that has not changed, in place where it
// can: a row drawn anew, or moved, while a press on it is under way loses that click (an upload
// ending in the folder shown while the person opens another row's menu).
let drawnRows = new Map();

function listingRow(isFolder, item) {
  const key = keyOf(isFolder, item.id);
  const drawnFrom = JSON.stringify(isFolder ? [item.name] : [item.name, item.size, item.mtime, item.type]);
  const drawn = drawnRows.get(key);
  if (drawn?.drawnFrom === drawnFrom) return [key, drawn];
  const element = $(isFolder ? "folder-row" : "document-row").content.firstElementChild.cloneNode(true);
  element.dataset.id = item.id;
  element.querySelector(".item-name").textContent = item.name;
  element.querySelector(".action-label").textContent = interpolate(gettext("Actions for %(name)s"), { name: item.name }, true);
  const tick = element.querySelector(".item-select");
  tick.setAttribute("aria-label", interpolate(gettext("Select %(name)s"), { name: item.name }, true));
  if (!isFolder) {
    // The size and date columns give way on a narrow screen, the date first: the line under the
    // name then says "1.2 kB · 6 Dec 2026, 14:39", or only the date where the size column shows.
    const size = formatBytes(item.size);
    const mtime = dateFormat.format(new Date(item.mtime));
    element.querySelector(".item-size").textContent = size;
    element.querySelector(".item-mtime").textContent = mtime;
    element.querySelector(".item-details-size").textContent = `${size} · `;
    element.querySelector(".item-details-mtime").textContent = mtime;
    element.querySelector("[data-action=preview]").parentElement.hidden = !previewKind(item);
  }
  return [key, { drawnFrom, element }];
}

// Puts `wanted` in `parent` in that order, touching only what is not there already: the children
// no longer wanted go first, so that those after them need not move.
function placeChildren(parent, wanted) {
  const keep = new Set(wanted);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  let next = parent.firstElementChild;
  for (const element of wanted) {
    if (element === next) next = next.nextElementSibling;
    else parent.insertBefore(element, next);
  }
}

let listingDeferred = false;

function renderListing() {
  // A row's menu open right now would vanish from under the pointer: redraw once it closes.
  if ($("listing").querySelector(".dropdown-menu.show")) {
    if (!listingDeferred) {
      listingDeferred = true;
      $("listing").addEventListener("hidden.bs.dropdown", () => {
        listingDeferred = false;
        renderListing();
      }, { once: true });
    }
    return;
  }
  const inFolder = state.folders.filter((folder) => folder.parent === shownFolder);
  const count = inFolder.length + state.documents.length;
  const wanted = filterKey(nameFilter.value);
  const shown = wanted ? (item) => filterKey(item.name).includes(wanted) : () => true;
  const folders = inFolder.filter(shown).sort(byName);
  if (sorting.key === "name" && sorting.descending) folders.reverse();
  const documents = state.documents.filter(shown).sort(documentOrder[sorting.key]);
  if (sorting.descending) documents.reverse();
  drawnRows = new Map([
    ...folders.map((folder) => listingRow(true, folder)),
    ...documents.map((doc) => listingRow(false, doc)),
  ]);
  const rows = [...drawnRows.values()].map((drawn) => drawn.element);
  placeChildren($("listing"), rows);
  $("listing-empty").hidden = count > 0;
  const noMatch = $("listing-no-match");
  // (Not beside the search of all folders, whose own "no name in any folder" says it already.)
  noMatch.hidden = count === 0 || rows.length > 0 || !$("search-results").hidden;
  noMatch.textContent = noMatch.hidden ? "" : interpolate(gettext("No name in this folder contains “%(text)s”."),
    { text: nameFilter.value.trim() }, true);
  $("filter-line").hidden = !wanted;
  $("filter-status").textContent = wanted ? interpolate(ngettext("%(shown)s of %(count)s item shown",
    "%(shown)s of %(count)s items shown", count), { shown: rows.length, count }, true) : "";
  renderSelection();
}

// --- name filter -----------------------------------------------------------------------------------------

// Narrows the folder shown to the names that contain what is typed, whatever the case and accents
// ("resume" finds "Résumé.pdf"). Names are only known in this page, so this and the search of all
// folders below are the vault's search, and neither leaves the page. Only rows shown can stay
// ticked: a row the filter hides drops out of the selection, so that Move and Delete act on
// nothing the user cannot see. Opening another folder, or leaving the vault, clears it.
const nameFilter = $("name-filter");

function filterKey(text) {
  return text.trim().normalize("NFD").replace(/\p{M}/gu, "").toLocaleLowerCase(lang);
}

nameFilter.addEventListener("input", () => renderListing());

// --- search of all folders -------------------------------------------------------------------------------

// The same match as the filter, over every folder and document of the vault: the worker fetches
// and decrypts every document's metadata (the folders are known already). Each result opens its
// folder, filtered to the result's name.
const SEARCH_RESULTS_SHOWN = 100;

$("search-all").addEventListener("click", async () => {
  const text = nameFilter.value.trim();
  const wanted = filterKey(text);
  if (!wanted) return;
  const button = $("search-all");
  button.disabled = true;
  try {
    const documents = await call("all_documents");
    const folders = new Map(state.folders.map((folder) => [folder.id, folder]));
    const matches = (item) => filterKey(item.name).includes(wanted);
    const hits = [
      ...state.folders.filter(matches).map((folder) => ({ item: folder, isFolder: true, path: folderPath(folders, folder.parent) })),
      ...documents.filter(matches).map((doc) => ({ item: doc, isFolder: false, path: folderPath(folders, doc.folder) })),
    ].sort((a, b) => byPath(a.path, b.path) || byName(a.item, b.item));
    showSearchResults(text, hits);
  } catch (error) {
    handleError(error);
  } finally {
    button.disabled = false;
  }
});

// The names of folder `id` and of its ancestors, outermost first ([] for the top level).
function folderPath(folders, id) {
  const names = [];
  const seen = new Set();
  for (let folder = folders.get(id); folder && !seen.has(folder.id); folder = folders.get(folder.parent)) {
    seen.add(folder.id);
    names.unshift(folder.name);
  }
  return names;
}

function byPath(a, b) {
  for (let index = 0; index < Math.min(a.length, b.length); index += 1) {
    const order = byName({ name: a[index] }, { name: b[index] });
    if (order) return order;
  }
  return a.length - b.length;
}

function showSearchResults(text, hits) {
  $("search-results-title").textContent = hits.length
    ? interpolate(ngettext("%(count)s result in all folders for “%(text)s”", "%(count)s results in all folders for “%(text)s”", hits.length),
      { count: hits.length, text }, true)
    : interpolate(gettext("No name in any folder contains “%(text)s”."), { text }, true);
  const items = hits.slice(0, SEARCH_RESULTS_SHOWN).map(({ item, isFolder, path }) => {
    const entry = document.createElement("li");
    entry.className = "list-group-item";
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-link p-0 text-start text-break search-hit";
    button.textContent = isFolder ? `${item.name}/` : item.name;
    button.addEventListener("click", () => openSearchHit(item, isFolder));
    const where = document.createElement("div");
    where.className = "small text-body-secondary";
    const place = [gettext("Vault"), ...path].join(" › ");
    where.textContent = isFolder ? interpolate(gettext("Folder in %(path)s"), { path: place }, true)
      : interpolate(gettext("%(size)s, in %(path)s"), { size: formatBytes(item.size), path: place }, true);
    entry.append(button, where);
    return entry;
  });
  if (hits.length > SEARCH_RESULTS_SHOWN) {
    const more = document.createElement("li");
    more.className = "list-group-item small text-body-secondary";
    more.textContent = interpolate(gettext("The first %(shown)s are shown: type more of the name to narrow them down."),
      { shown: SEARCH_RESULTS_SHOWN }, true);
    items.push(more);
  }
  $("search-result-list").replaceChildren(...items);
  $("search-results").hidden = false;
  renderListing();
  $("search-results-title").focus();
}

function hideSearchResults() {
  $("search-results").hidden = true;
  $("search-result-list").replaceChildren();
}

$("close-search").addEventListener("click", () => {
  hideSearchResults();
  renderListing(); // its own "no name in this folder", if so, is no longer said by the search's
  nameFilter.focus();
});

function openSearchHit(item, isFolder) {
  hideSearchResults();
  if (isFolder) {
    navigate(item.id);
    return;
  }
  navigate(item.folder);
  nameFilter.value = item.name; // after navigate, which clears it
}

// --- selection ------------------------------------------------------------------------------------------

// The rows ticked in the folder shown, by key ("folder:<id>", "document:<id>"); emptied when
// another folder is opened, and pruned of what a refresh no longer lists.
const selection = new Set();

function itemKey(element) {
  return keyOf(element.classList.contains("folder-row"), element.dataset.id);
}

function keyOf(isFolder, id) {
  return `${isFolder ? "folder" : "document"}:${id}`;
}

function listedRows() {
  return [...$("listing").querySelectorAll("tr")];
}

function selectedItems() {
  return listedRows().filter((element) => selection.has(itemKey(element))).map(listedItem);
}

function listedItem(element) {
  const isFolder = element.classList.contains("folder-row");
  const id = element.dataset.id;
  return { item: isFolder ? folderById(id) : state.documents.find((doc) => doc.id === id), isFolder };
}

function renderSelection() {
  const rows = listedRows();
  const listed = new Set(rows.map(itemKey));
  for (const key of selection) if (!listed.has(key)) selection.delete(key);
  for (const element of rows) {
    const ticked = selection.has(itemKey(element));
    element.querySelector(".item-select").checked = ticked;
    element.classList.toggle("table-active", ticked);
  }
  const count = selection.size;
  $("selection-bar").hidden = count === 0;
  $("selection-count").textContent = interpolate(ngettext("%(count)s item selected", "%(count)s items selected", count), { count }, true);
  const all = $("select-all");
  all.checked = count > 0 && count === rows.length;
  all.indeterminate = count > 0 && count < rows.length;
  all.disabled = rows.length === 0;
}

$("listing").addEventListener("change", (event) => {
  if (!event.target.classList.contains("item-select")) return;
  const key = itemKey(event.target.closest("tr"));
  if (event.target.checked) selection.add(key);
  else selection.delete(key);
  renderSelection();
});

$("select-all").addEventListener("change", (event) => {
  for (const element of listedRows()) {
    if (event.target.checked) selection.add(itemKey(element));
    else selection.delete(itemKey(element));
  }
  renderSelection();
});

$("clear-selection").addEventListener("click", () => {
  selection.clear();
  renderSelection();
  $("select-all").focus();
});

$("download-selected").addEventListener("click", () => downloadItems(selectedItems()));
$("move-selected").addEventListener("click", () => moveItems(selectedItems()));
$("delete-selected").addEventListener("click", () => deleteItems(selectedItems()));

function renderStorage() {
  const { used_bytes: used, quota_bytes: quota } = state.account;
  const percent = quota ? Math.min(100, (100 * used) / quota) : 0;
  $("storage-text").textContent = interpolate(gettext("%(used)s of %(quota)s used"),
    { used: formatBytes(used), quota: formatBytes(quota) }, true);
  const meter = document.querySelector(".storage-meter");
  meter.setAttribute("aria-valuenow", String(Math.round(percent)));
  const bar = meter.querySelector(".progress-bar");
  bar.style.width = `${percent}%`;
  // Amber from 80 %, so that a vault filling up is seen before it is nearly full.
  bar.classList.toggle("bg-warning", percent >= 80 && percent <= 90);
  bar.classList.toggle("bg-danger", percent > 90);
}

// --- unfinished uploads ---------------------------------------------------------------------------------

// Uploads begun and never finished (the tab closed, the network gone for good) stay on the server
// as pending documents: in no listing, yet each takes its size of the storage until it is finished
// (uploading the same file into the same folder again resumes it) or discarded. They are asked for
// alongside each listing, but only while no upload of this page runs or waits: a running upload
// is a pending document too, whose id the page learns only once it is stored, and it would show
// here as unfinished (a Discard would break it). An answer asked for before an upload began is
// dropped, and the line hidden, until the uploads are over: the upload may be resuming one of them.
let unfinished = [];
let latestUnfinished = 0; // as latestRefresh: only the latest answer is shown

const uploadsUnderWay = () => uploads.length > 0 || uploadChunksInFlight > 0;

function setUnfinished(list) {
  latestUnfinished += 1;
  unfinished = list;
  renderUnfinished();
}

async function refreshUnfinished() {
  if (uploadsUnderWay()) return;
  const number = ++latestUnfinished;
  try {
    const found = await call("unfinished_uploads");
    if (number !== latestUnfinished) return;
    unfinished = found;
    renderUnfinished();
  } catch {
    // The line stays as it was: the listing asked for alongside says what went wrong, and the
    // worker's log has the failure.
  }
}

function renderUnfinished() {
  const line = $("unfinished-line");
  const count = unfinished.length;
  if (!count && line.contains(document.activeElement)) $("breadcrumbs").querySelector("[aria-current]")?.focus();
  line.hidden = !count;
  const held = unfinished.reduce((sum, doc) => sum + doc.stored_size, 0);
  $("unfinished-text").textContent = interpolate(ngettext("%(count)s unfinished upload holds %(size)s",
    "%(count)s unfinished uploads hold %(size)s", count), { count, size: formatBytes(held) }, true);
}

// The review dialog lists them as they were when it opened, each with where it was going and
// when it began; a Discard deletes the pending document (and what it had stored), then the
// storage figures are read again. One that stored a chunk within the last few minutes (by the
// server's clock) may be an upload running in another tab or on another device, which a Discard
// would stop: it says so. (On a slow line four chunks in flight can take minutes each.)
let reviewed = [];
const RECENT_UPLOAD_SECONDS = 300;
const relativeTime = new Intl.RelativeTimeFormat(lang);

function storedAgo(seconds) {
  return seconds < 60 ? relativeTime.format(-seconds, "second")
    : relativeTime.format(-Math.floor(seconds / 60), "minute");
}

$("unfinished-review").addEventListener("click", () => {
  const element = $("unfinished-dialog");
  reviewed = [...unfinished];
  formError(element.querySelector("form"), null);
  drawReviewed();
  bootstrap.Modal.getOrCreateInstance(element).show();
});

function drawReviewed() {
  const folders = new Map(state.folders.map((folder) => [folder.id, folder]));
  $("unfinished-dialog").querySelector(".unfinished-list").replaceChildren(...reviewed.map((doc) => {
    const item = $("unfinished-item").content.firstElementChild.cloneNode(true);
    item.querySelector(".unfinished-name").textContent = doc.name;
    item.querySelector(".unfinished-details").textContent = interpolate(gettext("%(size)s, into %(path)s, begun %(date)s"), {
      size: formatBytes(doc.size), path: [gettext("Vault"), ...folderPath(folders, doc.folder)].join(" › "),
      date: dateFormat.format(new Date(doc.created)),
    }, true);
    if (doc.idle_seconds < RECENT_UPLOAD_SECONDS) {
      const active = item.querySelector(".unfinished-active");
      active.textContent = interpolate(gettext("Received data %(when)s: it may still be uploading in another tab or on another device, and discarding it would stop that upload."),
        { when: storedAgo(doc.idle_seconds) }, true);
      active.hidden = false;
    }
    const discard = item.querySelector(".unfinished-discard");
    discard.setAttribute("aria-label", interpolate(gettext("Discard “%(name)s”"), { name: doc.name }, true));
    discard.addEventListener("click", () => discardUnfinished([doc]));
    return item;
  }));
}

$("unfinished-dialog").querySelector(".unfinished-discard-all").addEventListener("click", () => discardUnfinished(reviewed));

async function discardUnfinished(docs) {
  const element = $("unfinished-dialog");
  const form = element.querySelector("form");
  const place = reviewed.indexOf(docs[0]);
  const buttons = element.querySelectorAll(".unfinished-discard, .unfinished-discard-all");
  buttons.forEach((button) => { button.disabled = true; });
  formError(form, null);
  try {
    for (const doc of docs) {
      try {
        await call("delete_document", { id: doc.id });
      } catch (error) {
        // Gone already (finished or discarded from another tab or device): as asked.
        if (!(error instanceof VaultError && error.code === "not_found")) throw error;
      }
      reviewed = reviewed.filter((other) => other !== doc);
    }
  } catch (error) {
    if (endedSession(error)) return;
    formError(form, message(error));
  } finally {
    buttons.forEach((button) => { button.disabled = false; });
    if (state.account) refresh();
  }
  drawReviewed();
  if (!reviewed.length) {
    hideModal(element);
    return;
  }
  // The focus stays in the list: on the entry that took the discarded one's place, or the last.
  const discards = element.querySelectorAll(".unfinished-discard");
  discards[Math.min(Math.max(place, 0), discards.length - 1)].focus();
}

$("listing").addEventListener("click", (event) => {
  const element = event.target.closest("tr");
  if (!element) return;
  const id = element.dataset.id;
  if (event.target.closest(".open-folder")) return navigate(id);
  if (event.target.closest(".open-document")) return preview(listedItem(element).item);
  const action = event.target.closest("[data-action]")?.dataset.action;
  if (!action) return;
  // The menu closes: the focus goes back to its button rather than to the page, whether the
  // action opens a dialog (which gives it back there) or not (a download, a check).
  element.querySelector(".item-actions").focus();
  const { item, isFolder } = listedItem(element);
  if (action === "move") moveItems([{ item, isFolder }]);
  else if (action === "delete") deleteItems([{ item, isFolder }]);
  else if (action === "download") downloadItems([{ item, isFolder }]);
  else ({ preview, verify, rename: renameItem })[action](item, isFolder);
});

// --- dialogs --------------------------------------------------------------------------------------------------

// Shows dialog `id` after `prepare(form)`; `submit(form)` runs on submission and returns a problem
// to show, or nothing, and then the dialog closes. `idle(form)` runs after each submission.
function openDialog(id, { prepare, submit, idle }) {
  const element = $(id);
  const form = element.querySelector("form");
  form.reset();
  form.querySelectorAll(".password-new").forEach((input) => input.dispatchEvent(new Event("input")));
  formError(form, null);
  clearFieldProblems(form);
  prepare?.(form);
  form.onsubmit = async (event) => {
    event.preventDefault();
    formError(form, null);
    setBusy(form, true);
    let mend = null; // the field to correct, if the server said which
    try {
      // A problem's words, or [the field it is about, its words].
      const problem = await submit(form);
      if (Array.isArray(problem)) fieldProblem(form, ...problem);
      else if (problem) formError(form, problem);
      else hideModal(element);
    } catch (error) {
      if (isGone(error)) {
        // What the dialog was about is gone: said, and the listing brought up to date.
        hideModal(element);
        showAlert(message(error));
        refreshSoon();
      } else if (!endedSession(error)) {
        formError(form, message(error));
        if (error instanceof VaultError && error.code === "wrong_password") mend = form.querySelector("[autocomplete=current-password]");
      }
    } finally {
      setBusy(form, false);
      idle?.(form);
      if (mend && element.classList.contains("show")) {
        // Selected, so that the password typed again replaces the wrong one.
        mend.focus();
        mend.select();
      } else if (element.classList.contains("show") && !element.contains(document.activeElement)) {
        focusFirstField(element);
      }
    }
  };
  bootstrap.Modal.getOrCreateInstance(element).show();
}

// A dialog's first field (or what stands for it), focused when the dialog opens and again after a
// refused submission: the submit button was disabled meanwhile, which drops the focus to the page,
// where Escape would no longer close the dialog.
function focusFirstField(element) {
  element.querySelector("input:not([type=hidden]):not([readonly]):not(.visually-hidden), select, pre, [autofocus]")?.focus();
}

// Bootstrap ignores hide() while a dialog is still fading in: an answer given that early (a
// quick click or key press, a submission that came back at once) left the dialog open, and a
// promise waiting for it to close waited for ever. Such a hide waits for the fade to end.
function hideModal(element) {
  const modal = bootstrap.Modal.getOrCreateInstance(element);
  if (element.dataset.fadingIn) element.addEventListener("shown.bs.modal", () => modal.hide(), { once: true });
  else modal.hide();
}

// Where the focus goes back to once a dialog closes. Bootstrap gives it back only to a trigger of
// its own (data-bs-toggle); ours open from script, often from a row's menu, which the listing then
// redraws. So the focus goes back to what had it (or, inside a menu, to the menu's button) if that
// is still shown, else to the menu button of the same row, else to the folder's name in the path:
// never to the top of the page.
let lastClicked = null;
document.addEventListener("click", (event) => { lastClicked = event.target; }, { capture: true });

function focusReturn() {
  const element = document.activeElement && document.activeElement !== document.body ? document.activeElement : lastClicked;
  return { element, row: element?.closest?.("#listing [data-id], #search-results [data-id]")?.dataset.id };
}

async function giveFocusBack({ element, row }) {
  await refreshing;
  const active = document.activeElement;
  if (document.querySelector(".modal.show") || (active && active !== document.body && !active.closest(".modal"))) return;
  const toggle = element?.closest?.(".dropdown, .btn-group")?.querySelector("[data-bs-toggle=dropdown]");
  const candidates = [toggle ?? element, row && document.querySelector(`#listing [data-id="${CSS.escape(row)}"] .item-actions`),
    $("breadcrumbs").querySelector("[aria-current]")];
  for (const candidate of candidates) {
    if (!candidate?.isConnected || !candidate.offsetParent) continue;
    candidate.focus();
    if (document.activeElement === candidate) return;
  }
}

document.querySelectorAll(".modal").forEach((element) => {
  element.addEventListener("show.bs.modal", () => {
    element.dataset.fadingIn = "true";
    element.focusReturn = focusReturn();
  });
  element.addEventListener("shown.bs.modal", () => {
    delete element.dataset.fadingIn;
    focusFirstField(element);
  });
  element.addEventListener("hidden.bs.modal", () => {
    // A password typed in a dialog (the current one, a new one) does not stay in the page once
    // the dialog is closed, whether it was taken or not.
    element.querySelectorAll("input[type=password]").forEach((input) => { input.value = ""; });
    giveFocusBack(element.focusReturn);
  });
});

// Bootstrap moves the focus into a dialog only once it has faded in, so an Escape pressed before
// that reached the page and was lost: the dialog stayed open. It now closes it as soon as it can.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const fadingIn = document.querySelector(".modal[data-fading-in]");
  if (fadingIn) hideModal(fadingIn);
});
// Likewise a quick click on a dialog's Close: Bootstrap ignores it while the dialog fades in.
document.addEventListener("click", (event) => {
  const fadingIn = event.target.closest("[data-bs-dismiss=modal]")?.closest(".modal[data-fading-in]");
  if (fadingIn) hideModal(fadingIn);
});

function checkName(name) {
  if (!name || name.length > 1024 || name.includes("/") || name === "." || name === "..") {
    return gettext("A name is 1 to 1024 characters long, without “/”, and not “.” or “..”.");
  }
  return null;
}

// Names stay unique within a folder, as uploads ("Keep both") and the CLI keep them. What folder
// `folderId` holds, read afresh: another tab or device may have changed it.
async function itemsIn(folderId) {
  const data = await call("listing", { folder: folderId });
  return [...data.folders.filter((folder) => folder.parent === folderId), ...data.documents];
}

const nameInUse = (name) => interpolate(gettext("“%(name)s” is already in this folder."), { name }, true);

$("new-folder-button").addEventListener("click", () => {
  const parent = shownFolder;
  openDialog("name-dialog", {
    prepare: () => { $("name-dialog-title").textContent = gettext("New folder"); },
    submit: async () => {
      const name = $("name-dialog-input").value.trim();
      const problem = checkName(name);
      if (problem) return problem;
      if ((await itemsIn(parent)).some((other) => other.name === name)) return nameInUse(name);
      await call("create_folder", { name, parent });
      refresh();
    },
  });
});

// The part of a name that a rename usually changes, as file managers select it: a document's name
// up to its extension (as numberedName splits it), a folder's whole name.
function stemLength(name, isFolder) {
  const dot = name.lastIndexOf(".");
  return !isFolder && dot > 0 ? dot : name.length;
}

function renameItem(item, isFolder) {
  openDialog("name-dialog", {
    prepare: () => {
      $("name-dialog-title").textContent = interpolate(gettext("Rename “%(name)s”"), { name: item.name }, true);
      const input = $("name-dialog-input");
      input.value = item.name;
      // Kept by the field until it is focused (focusFirstField, once the dialog is shown).
      input.setSelectionRange(0, stemLength(item.name, isFolder));
    },
    submit: async () => {
      const name = $("name-dialog-input").value.trim();
      const problem = checkName(name);
      if (problem) return problem;
      const parent = isFolder ? item.parent : item.folder;
      if ((await itemsIn(parent)).some((other) => other.name === name && other.id !== item.id)) return nameInUse(name);
      await call(isFolder ? "rename_folder" : "rename_document", { id: item.id, name });
      refresh();
    },
  });
}

const MOVE_UNCHOSEN = "unchosen"; // the move dialog's first line, which names no folder (ids are UUIDs)

// Enter in the list of folders moves there, as Enter in a form's text field submits it (a list does
// not submit its form: Enter did nothing); with no folder picked yet, it says to pick one.
$("move-dialog-select").addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || event.isComposing) return;
  event.preventDefault();
  const { form } = event.target;
  if (!form.querySelector("[type=submit]").disabled) form.requestSubmit();
});

// Moves one item or several (a selection) into a folder chosen in a dialog.
function moveItems(items) {
  if (!items.length) return;
  const [{ item }] = items;
  const moved = new Set(items.filter((entry) => entry.isFolder).map((entry) => entry.item.id));
  // The folder all of them are in ("" for the top level), if they are in one.
  const locations = new Set(items.map((entry) => (entry.isFolder ? entry.item.parent : entry.item.folder) ?? ""));
  const here = locations.size === 1 ? [...locations][0] : null;
  openDialog("move-dialog", {
    prepare: () => {
      $("move-dialog-title").textContent = items.length === 1
        ? interpolate(gettext("Move “%(name)s”"), { name: item.name }, true)
        : interpolate(ngettext("Move %(count)s item", "Move %(count)s items", items.length), { count: items.length }, true);
      const select = $("move-dialog-select");
      const options = [new Option(gettext("Vault (top level)"), "")];
      // A folder cannot go into itself or below itself.
      const excluded = (folder) => ancestry(folder.id).some((ancestor) => moved.has(ancestor.id));
      const walk = (parent, depth) => {
        for (const folder of state.folders.filter((f) => f.parent === parent).sort(byName)) {
          if (excluded(folder)) continue;
          options.push(new Option(`${"\u00a0\u00a0".repeat(depth)}${folder.name}`, folder.id));
          walk(folder.id, depth + 1);
        }
      };
      walk(null, 1);
      // Where the items are already is no choice: it was preselected, and Move then did nothing.
      for (const option of options) option.disabled = option.value === here;
      // Nor is any other folder chosen for the person: the first one in the list was, and Enter
      // moved the items somewhere they never picked.
      const choose = new Option(gettext("Choose a folder…"), MOVE_UNCHOSEN, true, true);
      choose.disabled = true;
      select.replaceChildren(choose, ...options);
      select.value = MOVE_UNCHOSEN;
    },
    submit: () => {
      const target = $("move-dialog-select").value;
      if (target === MOVE_UNCHOSEN) return [$("move-dialog-select"), gettext("Choose the folder to move to.")];
      if (target === here) return interpolate(gettext("“%(name)s” is already in that folder."), { name: item.name }, true);
      return moveInto(items, target || null);
    },
  });
}

// Moves items into folder `target` (null: the top level), one request each, in order; returns the
// problem to show, if any. If one fails, those before it have moved: the listing is refreshed
// either way.
async function moveInto(items, target) {
  try {
    const present = await itemsIn(target).catch((error) => (isGone(error) ? null : Promise.reject(error)));
    if (!present) return targetGone(target);
    const clash = items.find((entry) => present.some((other) => other.name === entry.item.name && other.id !== entry.item.id));
    if (clash) return interpolate(gettext("“%(name)s” is already in that folder."), { name: clash.item.name }, true);
    let skipped = 0;
    for (const entry of items) {
      try {
        if (entry.isFolder) await call("move_folder", { id: entry.item.id, parent: target });
        else await call("move_document", { id: entry.item.id, folder: target });
      } catch (error) {
        // An item deleted elsewhere meanwhile is passed over, as deleting a selection does (the
        // move stopped at it, and so did every later attempt).
        if (!isGone(error)) throw error;
        skipped += 1;
      }
    }
    // Every item "gone" may mean the folder they were going into is.
    if (skipped && target && !(await itemsIn(target).catch((error) => (isGone(error) ? null : [])))) return targetGone(target);
  } finally {
    refresh();
  }
}

// The folder chosen in the move dialog was deleted elsewhere: said as such (not as the items
// being gone), and no longer offered.
function targetGone(target) {
  const select = $("move-dialog-select");
  select.querySelector(`option[value="${CSS.escape(target)}"]`)?.remove();
  select.value = MOVE_UNCHOSEN;
  return [select, gettext("The folder you chose is no longer in your vault: it may have been deleted from another device. Choose another one.")];
}

// --- moving by dragging --------------------------------------------------------------------------------

// A row dragged onto a folder's row, or onto a folder of the path above the listing, moves there;
// a ticked row takes the whole selection with it. The Move dialog does the same from the keyboard.
// Only drags that started in this page count: what they carry is a type of our own, never a name.
const DRAG_TYPE = "application/x-anoni-items";
let dragged = null; // the items of the drag under way, as listedItem() gives them

$("listing").addEventListener("dragstart", (event) => {
  const element = event.target.closest?.("tr");
  if (!element) return;
  const rows = selection.has(itemKey(element)) ? listedRows().filter((row) => selection.has(itemKey(row))) : [element];
  dragged = rows.map(listedItem);
  event.dataTransfer.effectAllowed = "move";
  event.dataTransfer.setData(DRAG_TYPE, String(dragged.length));
  for (const row of rows) row.classList.add("dragging");
});

// The folder that the drag over `event` would move the items into, with the element that stands
// for it; nothing where they cannot go: the folder they are in, a dragged folder or one below it.
function dropTarget(event) {
  if (!dragged || ![...event.dataTransfer.types].includes(DRAG_TYPE)) return undefined;
  const element = event.target.closest?.("#listing .folder-row, #breadcrumbs .breadcrumb-item[data-folder]");
  if (!element) return undefined;
  const folder = (element.classList.contains("folder-row") ? element.dataset.id : element.dataset.folder) || null;
  const moved = new Set(dragged.filter((entry) => entry.isFolder).map((entry) => entry.item.id));
  if (folder === shownFolder || ancestry(folder).some((ancestor) => moved.has(ancestor.id))) return undefined;
  return { element, folder };
}

function markDropTarget(element) {
  for (const marked of document.querySelectorAll(".drop-target")) {
    if (marked !== element) marked.classList.remove("drop-target");
  }
  element?.classList.add("drop-target");
}

function endDrag() {
  dragged = null;
  markDropTarget(null);
  for (const row of listedRows()) row.classList.remove("dragging");
}

document.addEventListener("dragover", (event) => {
  const target = dropTarget(event);
  markDropTarget(target?.element);
  if (!target) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "move";
});
document.addEventListener("drop", async (event) => {
  const target = dropTarget(event);
  const items = dragged;
  endDrag();
  if (!target) return;
  event.preventDefault();
  try {
    const problem = await moveInto(items, target.folder);
    if (problem) showAlert(problem);
  } catch (error) {
    handleError(error);
  }
});
// The end of a drag goes to the row it began on; a listing redrawn meanwhile no longer holds that
// row, and then the drop ends it, or the next drag's start.
document.addEventListener("dragend", endDrag);

// Deletes one item or several (a selection), after the person confirmed, one request each, in
// order; as for moves, the listing is refreshed even if one fails.
function deleteItems(items) {
  if (!items.length) return;
  const [{ item, isFolder }] = items;
  openDialog("delete-dialog", {
    prepare: (form) => {
      let text;
      if (items.length > 1) {
        text = interpolate(ngettext("Delete %(count)s item? Folders go with everything in them.",
          "Delete %(count)s items? Folders go with everything in them.", items.length), { count: items.length }, true);
      } else if (isFolder) {
        text = interpolate(gettext("Delete the folder “%(name)s” and everything in it?"), { name: item.name }, true);
      } else {
        text = interpolate(gettext("Delete “%(name)s”?"), { name: item.name }, true);
      }
      form.querySelector(".delete-dialog-text").textContent = text;
    },
    submit: async () => {
      try {
        for (const entry of items) {
          try {
            if (entry.isFolder) await call("delete_folder", { id: entry.item.id });
            else await call("delete_document", { id: entry.item.id });
          } catch (error) {
            // Already gone (deleted from another tab or device): what was asked for is done.
            if (!(error instanceof VaultError && error.code === "not_found")) throw error;
          }
        }
      } finally {
        refresh();
      }
    },
  });
}

// Changing the password and erasing the account ask for the current password, which the worker
// checks with the server: whoever sits at a vault left open can read what is in it, but must not
// be able to lock its owner out or erase everything.
const enterPassword = () => gettext("Please enter your current password.");

$("change-password-button").addEventListener("click", () => {
  openDialog("password-dialog", {
    prepare: (form) => { form.elements.username.value = state.account.username; },
    submit: async (form) => {
      const current = form.elements.current;
      const password = $("new-password").value;
      // Each problem marks and focuses its field, as the sign-up form's do.
      const problem = firstProblem([
        [current, () => !current.value && enterPassword()],
        [$("new-password"), () => checkNewPassword(password)],
        [$("new-password-confirm"), () => passwordsDiffer(password, $("new-password-confirm").value)],
        // Taken, it said "changed" and changed nothing a person would see.
        [$("new-password"), () => password === current.value && gettext("The new password is the same as the current one.")],
        [$("new-password"), () => weakPasswordWarning(password, form)],
      ]);
      if (problem.length) return problem;
      await call("change_password", { password, current: current.value });
      showAlert(gettext("Your password has been changed. Use the new one from now on."), "success");
    },
  });
});

$("delete-account-button").addEventListener("click", () => {
  const input = $("delete-account-confirm");
  const password = $("delete-account-password");
  const ready = (form) => {
    form.querySelector("[type=submit]").disabled = input.value !== state.account.username || !password.value;
  };
  openDialog("delete-account-dialog", {
    prepare: (form) => {
      form.elements.username.value = state.account.username;
      form.querySelector(".delete-account-label").textContent = interpolate(
        gettext("To confirm, type your username: %(username)s"), { username: state.account.username }, true);
      ready(form);
      input.oninput = password.oninput = () => ready(form);
    },
    idle: ready,
    submit: async () => {
      if (input.value !== state.account.username) return MESSAGES.confirm_mismatch;
      if (!password.value) return enterPassword();
      await call("delete_account", { confirm: input.value, password: password.value });
      log.add("info", "account.deleted");
      setTimeout(() => leaveVault(gettext("Your account and everything in it have been erased.")), 0);
    },
  });
});

// Ends the session and makes the worker forget every key, then shows the login form with `text`.
let loggingOut = false;
async function logOut(text) {
  if (loggingOut) return;
  loggingOut = true;
  document.querySelectorAll(".modal.show").forEach(hideModal);
  try {
    await call("logout");
  } catch (error) {
    log.add("warning", "logout.failed", error.code || error.name);
  } finally {
    loggingOut = false;
  }
  leaveVault(text);
}

// Logging out stops every transfer: while some run, the person is asked first.
$("logout-button").addEventListener("click", () => {
  const loggedOut = gettext("You are logged out. Your keys have been erased from this page's memory.");
  if (!runningRows.size) {
    logOut(loggedOut);
    return;
  }
  openDialog("logout-dialog", {
    prepare: (form) => {
      form.querySelector(".logout-dialog-text").textContent = interpolate(ngettext(
        "%(count)s transfer is still running. Logging out stops it.",
        "%(count)s transfers are still running. Logging out stops them.", runningRows.size), { count: runningRows.size }, true);
    },
    submit: () => { logOut(loggedOut); },
  });
});

// A vault left open and unattended logs itself out after config.idleLogoutSeconds without a key
// press, click, touch or scroll, as the button above does, so that whoever sits down at the
// computer later finds no open vault. Never during a transfer: the time counts from its end.
// Wall-clock time, which also runs while the computer sleeps; a hidden tab's timers slow to one a
// minute, so returning to the tab checks at once.
const IDLE_LIMIT_MS = (config.idleLogoutSeconds || 0) * 1000;
let lastActivity = Date.now();

function logOutIfIdle() {
  if (!state.account || loggingOut) return;
  if (runningRows.size > 0) {
    lastActivity = Date.now();
  } else if (Date.now() - lastActivity >= IDLE_LIMIT_MS) {
    log.add("info", "idle.logout", `after_s=${config.idleLogoutSeconds}`);
    logOut(gettext("You were logged out because the vault was left unattended. Your keys have been erased from this page's memory."));
  }
}

if (IDLE_LIMIT_MS > 0) {
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    document.addEventListener(type, () => { lastActivity = Date.now(); }, { capture: true, passive: true });
  }
  setInterval(logOutIfIdle, Math.min(IDLE_LIMIT_MS / 4, 30_000));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") logOutIfIdle();
  });
}

// Another tab or device may have changed the vault while this tab was out of sight: what it shows
// is listed again as it comes back into view (nothing else lists it by itself).
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible" && state.account && !loggingOut) refreshSoon();
});

$("diagnostics-button").addEventListener("click", () => {
  let report = null;
  openDialog("diagnostics-dialog", {
    prepare: (form) => {
      report = log.report(config.version);
      form.querySelector(".diagnostics-json").textContent = JSON.stringify(report, null, 2);
    },
    submit: async () => {
      let response;
      try {
        response = await fetch(config.diagnostics, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(report),
          credentials: "omit",
        });
      } catch {
        return MESSAGES.network;
      }
      if (response.status === 429) {
        return message(new VaultError({ code: "rate_limited", retry_after: Number(response.headers.get("Retry-After")) }));
      }
      if (!response.ok) return interpolate(gettext("The server refused the log (%(status)s)."), { status: response.status }, true);
      log.add("info", "diagnostics.sent", `entries=${report.entries.length}`);
      showAlert(gettext("Thank you: the diagnostic log has been sent."), "success");
    },
  });
});

// --- transfers --------------------------------------------------------------------------------------------------

const SPEED_WINDOW_MS = 5000;
const ETA_SMOOTHING_S = 2;
const MIN_SHOWN_SPEED = 100; // bytes per second: formatSpeed's 0.1 kB/s
const runningRows = new Set(); // the transfers not finished, running or waiting their turn

class TransferRow {
  constructor(kind, name) {
    this.element = $("transfer-item").content.firstElementChild.cloneNode(true);
    this.element.querySelector(".transfer-kind").textContent = kind;
    this.element.querySelector(".transfer-name").textContent = name;
    this.bar = this.element.querySelector(".progress-bar");
    this.progressElement = this.element.querySelector(".transfer-progress");
    this.progressElement.setAttribute("aria-label", name);
    this.name = name;
    this.quartersAnnounced = 0;
    this.samples = [];
    this.finished = false;
    this.element.querySelector(".transfer-cancel").addEventListener("click", () => this.onCancel?.());
    this.status(gettext("Waiting…"));
    $("transfer-list").prepend(this.element);
    $("transfers").hidden = false;
    runningRows.add(this);
    showCancelAll();
    summary.update();
  }

  status(text) {
    this.element.querySelector(".transfer-status").textContent = text;
  }

  // The rows' texts change with every chunk; a screen reader hears, through one live region,
  // what changed state (a lost connection, the end) and a quarter's progress at most.
  announce(text) {
    $("transfer-announcer").textContent = `${this.name}: ${text}`;
  }

  stopCountdown() {
    clearInterval(this.countdown);
    this.countdown = undefined;
  }

  // `resumed`: of the bytes done, those an upload found stored already (it resumed an earlier
  // one): only hashed again, they are left out of the speed, which they put at many times the
  // line's, and the time left as much too short.
  progress(done, total, resumed = 0) {
    this.stopCountdown();
    this.done = done;
    this.total = total;
    summary.update();
    const now = performance.now();
    this.samples.push([now, done - resumed]);
    while (this.samples.length > 2 && now - this.samples[0][0] > SPEED_WINDOW_MS) this.samples.shift();
    const percent = total ? (100 * done) / total : 100;
    this.bar.style.width = `${percent}%`;
    this.progressElement.setAttribute("aria-valuenow", String(Math.round(percent)));
    let text = interpolate(gettext("%(done)s of %(total)s"), { done: formatBytes(done), total: formatBytes(total) }, true);
    if (resumed) {
      // Its own attempt started again after a wait, or one of another time (a closed tab) taken up.
      text = interpolate(this.waited ? gettext("%(progress)s (resumed)") : gettext("%(progress)s (an earlier upload resumed)"),
        { progress: text }, true);
    }
    this.status(text);
    const quarters = Math.floor(percent / 25);
    if (quarters > this.quartersAnnounced && done < total) {
      this.quartersAnnounced = quarters;
      this.announce(text);
    }
    const [start, startDone] = this.samples[0];
    const speed = now > start ? ((done - resumed - startDone) * 1000) / (now - start) : 0;
    // No speed once every byte is sent (a small file then showed "0 kB/s" while it was committed),
    // nor one that would read as 0 (under 0.1 kB/s).
    this.element.querySelector(".transfer-speed").textContent = speed >= MIN_SHOWN_SPEED && done < total ? formatSpeed(speed) : "";
    // No time left before two seconds of progress: the first steps say little about the speed.
    this.element.querySelector(".transfer-eta").textContent = speed > 0 && done < total && now - start >= 2000
      ? interpolate(gettext("%(time)s left"), { time: formatDuration(this.smoothedRemaining(now, (total - done) / speed)) }, true) : "";
  }

  // Progress comes in 4 MiB steps, so the time left from the recent speed alone jumped about
  // (27 s, 55 s, 39 s within seconds on a slow line): the last estimate, counted down, moves
  // towards each new one by how much time passed, over about ETA_SMOOTHING_S seconds.
  smoothedRemaining(now, estimate) {
    if (this.remaining !== undefined) {
      const elapsed = (now - this.remainingAt) / 1000;
      const weight = 1 - Math.exp(-elapsed / ETA_SMOOTHING_S);
      const countedDown = Math.max(0, this.remaining - elapsed);
      estimate = countedDown + weight * (estimate - countedDown);
    }
    this.remaining = estimate;
    this.remainingAt = now;
    return estimate;
  }

  // Counted down, second by second, so that a stalled row shows that it still waits and for how
  // long; once the time is up, the new attempt may take a while to fail or get through.
  retrying(wait) {
    this.waited = true;
    this.stopCountdown();
    const until = performance.now() + wait * 1000;
    const show = () => {
      const left = (until - performance.now()) / 1000;
      if (left < 0.5) this.stopCountdown();
      const text = left < 0.5 ? gettext("Connection lost. Trying again…")
        : interpolate(gettext("Connection lost. Trying again in %(time)s…"), { time: formatDuration(left) }, true);
      this.status(text);
      return text;
    };
    this.announce(show());
    this.countdown = setInterval(show, 1000);
    this.element.querySelector(".transfer-speed").textContent = "";
    this.element.querySelector(".transfer-eta").textContent = "";
    this.remaining = undefined; // the estimate starts afresh once the transfer goes on
  }

  finish(text, outcome) {
    if (this.finished) return;
    this.finished = true;
    this.stopCountdown();
    // Cancel goes away with the transfer; the focus stays on its row rather than drop to the page.
    if (this.element.contains(document.activeElement)) {
      this.element.tabIndex = -1;
      this.element.focus();
    }
    runningRows.delete(this);
    showCancelAll();
    summary.finished(outcome);
    this.element.classList.add("finished", `transfer-${outcome}`);
    this.bar.classList.add(outcome === "success" ? "bg-success" : outcome === "danger" ? "bg-danger" : "bg-secondary");
    if (outcome === "success") this.bar.style.width = "100%";
    // A cancelled upload leaves nothing behind: a grey bar at 92% read as nearly done.
    if (outcome === "cancelled") this.bar.style.width = "0%";
    this.element.querySelector(".transfer-speed").textContent = "";
    this.element.querySelector(".transfer-eta").textContent = "";
    this.status(text);
    this.announce(text);
  }

  handlers() {
    return {
      progress: ({ done, total, resumed }) => this.progress(done, total, resumed),
      retrying: ({ wait }) => this.retrying(wait),
    };
  }
}

const wasCancelled = (error) => (error instanceof VaultError ? error.code === "cancelled" : error?.name === "AbortError");

function finishWithError(transferRow, error, words = message) {
  const stopped = wasCancelled(error);
  transferRow.finish(stopped ? MESSAGES.cancelled : words(error), stopped ? "cancelled" : "danger");
  if (isGone(error)) refreshSoon(); // the listing still showed it
  endedSession(error);
}

// A check or a preview saves nothing whatever happens: its integrity failure does not say so.
function messageWhereNothingSaves(error) {
  return error instanceof VaultError && error.code === "integrity" ? MESSAGES.integrity_checked : message(error);
}

// While the transfers' list is out of view, a line fixed to the window's foot says how many run,
// how far they are together, and how many failed since the list was last in view, with a button
// that brings the list into view. Drawn at most every SUMMARY_EVERY_MS: progress comes per chunk,
// for thousands of rows at once.
const SUMMARY_EVERY_MS = 250;
const summary = {
  listInView: false,
  unseenFailures: 0,
  timer: null,

  update() {
    this.timer ??= setTimeout(() => this.draw(), SUMMARY_EVERY_MS);
  },

  finished(outcome) {
    if (outcome === "danger" && !this.listInView) this.unseenFailures += 1;
    this.update();
  },

  draw() {
    this.timer = null;
    const element = $("transfer-summary");
    const running = runningRows.size;
    const show = !this.listInView && (running > 0 || this.unseenFailures > 0) && !$("transfers").hidden;
    if (!show && element.contains(document.activeElement)) $("breadcrumbs").querySelector("[aria-current]")?.focus();
    element.hidden = !show;
    if (!show) {
      document.body.style.paddingBottom = "";
      return;
    }
    const parts = [];
    if (running) {
      let done = 0;
      let total = 0;
      for (const row of runningRows) {
        done += row.done ?? 0;
        total += row.total ?? 0;
      }
      parts.push(interpolate(ngettext("%(count)s transfer under way", "%(count)s transfers under way", running), { count: running }, true));
      if (total) parts.push(numberFormat("percent", { maximumFractionDigits: 0 }).format(Math.floor((100 * done) / total)));
    }
    if (this.unseenFailures) {
      parts.push(interpolate(ngettext("%(count)s failed", "%(count)s failed", this.unseenFailures), { count: this.unseenFailures }, true));
    }
    $("transfer-summary-text").textContent = parts.join(" · ");
    element.classList.toggle("has-failed", this.unseenFailures > 0);
    // Room below the page for the line, so that the last rows can be scrolled out from under it.
    document.body.style.paddingBottom = `${element.offsetHeight + 16}px`;
  },
};

// One callback may bring several entries, oldest first, when the page was too busy to take
// them frame by frame (a click that hides the list right after a scroll showed it): the last
// says where the list is now; any that intersects means the list was seen.
new IntersectionObserver((entries) => {
  summary.listInView = entries.at(-1).isIntersecting;
  if (entries.some((entry) => entry.isIntersecting)) summary.unseenFailures = 0;
  summary.draw();
}).observe($("transfer-list"));

$("transfer-summary-show").addEventListener("click", () => {
  $("transfers").scrollIntoView({ block: "start" });
  $("transfers-title").focus({ preventScroll: true });
});

// "Cancel all", while two transfers or more are unfinished: a folder dropped by mistake is
// thousands of rows, each with its own Cancel. Rows waiting their turn end at once, the others
// once their worker has stopped (as their own Cancel does).
function showCancelAll() {
  const button = $("cancel-transfers");
  const hide = runningRows.size < 2;
  if (hide && !button.hidden && document.activeElement === button) $("clear-transfers").focus();
  button.hidden = hide;
}

$("cancel-transfers").addEventListener("click", () => {
  log.add("info", "transfers.cancel_all", `count=${runningRows.size}`);
  for (const row of [...runningRows]) row.onCancel?.();
});

$("clear-transfers").addEventListener("click", () => {
  document.querySelectorAll("#transfer-list .finished").forEach((element) => element.remove());
  $("transfers").hidden = !$("transfer-list").children.length;
  if ($("transfers").hidden) $("breadcrumbs").querySelector("[aria-current]")?.focus();
  summary.update();
});

window.addEventListener("beforeunload", (event) => {
  if (runningRows.size > 0 && !saver.followingDownload) event.preventDefault();
});

// Uploads: a queue, a few files at a time (UPLOAD_CHUNK_BUDGET); each file is read chunk by
// chunk by the worker.
const uploads = [];
let uploadChunksInFlight = 0;

// "report.pdf" -> "report (2).pdf" (or 3, 4…), the first such name not in `taken`.
function numberedName(name, taken) {
  const dot = name.lastIndexOf(".");
  const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
  let number = 2;
  while (taken.has(`${stem} (${number})${extension}`)) number += 1;
  return `${stem} (${number})${extension}`;
}

// Files chosen or dropped straight into a folder that already holds documents of the same names:
// the person decides once for all of them. Resolves "replace", "keep" (both) or "skip" (also
// when the dialog is closed).
function askAboutConflicts(names) {
  return new Promise((resolve) => {
    const element = $("conflict-dialog");
    const form = element.querySelector("form");
    let choice = "skip";
    element.querySelector(".conflict-dialog-text").textContent = names.length === 1
      ? interpolate(gettext("“%(name)s” is already in this folder."), { name: names[0] }, true)
      : interpolate(ngettext("%(count)s file is already in this folder:", "%(count)s files are already in this folder:",
        names.length), { count: names.length }, true);
    const shown = names.length === 1 ? [] : names.slice(0, 8);
    if (names.length > shown.length && shown.length) shown.push(interpolate(gettext("and %(count)s more"), { count: names.length - shown.length }, true));
    element.querySelector(".conflict-dialog-names").replaceChildren(...shown.map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      return item;
    }));
    form.onsubmit = (event) => {
      event.preventDefault();
      choice = event.submitter?.value || "keep";
      hideModal(element);
    };
    element.addEventListener("hidden.bs.modal", () => resolve(choice), { once: true });
    bootstrap.Modal.getOrCreateInstance(element).show();
  });
}

async function enqueueUploads(items, folder) {
  // What this folder holds now: the listing shown may not have caught up with uploads that just
  // finished, or with another tab.
  let data;
  try {
    data = await shownWait(call("listing", { folder }));
  } catch (error) {
    // The folder itself may be gone (deleted in another tab): the refresh takes the page to the
    // top level.
    const gone = isGone(error) && folder;
    if (gone) refresh();
    if (gone || !endedSession(error)) {
      // Said until closed, unlike the failure alone, which goes once the server answers again:
      // nothing else would tell that the files chosen were never uploaded.
      showAlert(interpolate(ngettext("%(count)s file was not uploaded: %(reason)s Choose it again to upload it.",
        "%(count)s files were not uploaded: %(reason)s Choose them again to upload them.", items.length),
      { count: items.length, reason: gone ? gettext("The folder is no longer in your vault.") : message(error) }, true));
    }
    return;
  }
  const names = (documents) => {
    const byName = new Map();
    for (const doc of documents) byName.set(doc.name, [...(byName.get(doc.name) || []), doc.id]);
    return byName;
  };
  const existing = names(data.documents);
  const folderNames = new Set(data.folders.filter((other) => other.parent === folder).map((other) => other.name));
  const taken = new Set([...existing.keys(), ...folderNames,
    ...items.filter(({ path }) => !path.length).map(({ file }) => file.name)]);
  // Names stay unique in a folder, and a file cannot replace a folder nor a folder a file: a
  // dropped folder named like a document here takes a numbered name, and so does a file named
  // like a folder (here, or dropped with it), or like a file before it in the same drop; none of
  // them asks. A dropped folder named like a folder here goes into that one, and its files meet
  // what that folder (and each of its subfolders) holds as files dropped here meet this one's.
  const folderName = new Map(); // a dropped folder's name -> the name it takes here
  for (const { path } of items) {
    if (!path.length || folderName.has(path[0])) continue;
    const renamed = existing.has(path[0]) && !folderNames.has(path[0]);
    folderName.set(path[0], renamed ? numberedName(path[0], taken) : path[0]);
    taken.add(folderName.get(path[0]));
  }
  // Each folder the files go into, by path from here: the documents and folders it holds already
  // (none if this upload makes it), the names taken there and those given to this upload's files.
  const targets = new Map([["", { documents: existing, folders: new Set([...folderNames, ...folderName.values()]), taken, given: new Set() }]]);
  const placed = items.map(({ file, path }) => ({ file, path: path.length ? [folderName.get(path[0]), ...path.slice(1)] : [] }));
  const existingFolder = (parent, name) => data.folders.find((other) => other.parent === parent && other.name === name);
  let everything = null; // every committed document, fetched if a dropped folder meets an existing one
  for (const { file, path } of placed) {
    const key = path.join("/");
    if (!targets.has(key)) {
      let id = folder;
      for (const name of path) {
        id = existingFolder(id, name)?.id;
        if (!id) break;
      }
      id ??= null;
      if (id !== null && !everything) {
        try {
          everything = await call("all_documents");
        } catch (error) {
          handleError(error);
          return;
        }
      }
      const documents = id === null ? new Map() : names(everything.filter((doc) => doc.folder === id));
      const subfolders = new Set(placed.filter((other) => other.path.length > path.length && other.path.slice(0, path.length).join("/") === key)
        .map((other) => other.path[path.length]));
      if (id !== null) data.folders.filter((other) => other.parent === id).forEach((other) => subfolders.add(other.name));
      targets.set(key, { documents, folders: subfolders, taken: new Set([...documents.keys(), ...subfolders]), given: new Set() });
    }
    targets.get(key).taken.add(file.name);
  }
  const conflicts = placed.filter(({ file, path }) => {
    const target = targets.get(path.join("/"));
    return target.documents.has(file.name) && !target.folders.has(file.name);
  });
  // The listing shown may not hold the names asked about yet (another device put them there).
  if (conflicts.length) refreshSoon();
  const choice = conflicts.length
    ? await askAboutConflicts([...new Set(conflicts.map(({ file, path }) => [...path, file.name].join("/")))]) : null;
  const jobs = [];
  for (const { file, path } of placed) {
    const target = targets.get(path.join("/"));
    let name = file.name;
    let replaces = [];
    if (target.folders.has(name) || target.given.has(name)) {
      target.taken.add(name = numberedName(name, target.taken));
    } else if (target.documents.has(name)) {
      if (choice === "skip") continue;
      if (choice === "replace") replaces = target.documents.get(name);
      else target.taken.add(name = numberedName(name, target.taken));
    }
    target.given.add(name);
    jobs.push({ file, path, name, replaces });
  }
  for (const { file, path, name, replaces } of jobs) {
    const job = { file, path, name, replaces, folder, chunks: chunksInFlight(file), task: crypto.randomUUID(),
      row: new TransferRow(gettext("Upload"), name) };
    job.row.onCancel = () => {
      const queued = uploads.indexOf(job);
      if (queued >= 0) {
        uploads.splice(queued, 1);
        job.row.finish(MESSAGES.cancelled, "cancelled");
      } else {
        vault.call("cancel", { task: job.task });
      }
    };
    uploads.push(job);
  }
  log.add("info", "upload.queued", `files=${jobs.length} conflicts=${conflicts.length}${choice ? ` choice=${choice}` : ""}`);
  pumpUploads();
}

function pumpUploads() {
  while (uploads.length && uploadChunksInFlight + uploads[0].chunks <= UPLOAD_CHUNK_BUDGET) {
    runUpload(uploads.shift());
  }
}

async function runUpload({ file, path, name, replaces, folder, chunks, task, row: transferRow }) {
  uploadChunksInFlight += chunks;
  setUnfinished([]); // (see refreshUnfinished)
  transferRow.status(gettext("Encrypting and uploading…"));
  try {
    const stored = await vault.task(task, transferRow.handlers(), () => call("upload", {
      task, name, folder, path, type: file.type || "application/octet-stream", mtime: Math.round(file.lastModified),
    }, { file }));
    // The old version goes only once the new one is stored, and only if it is still there under
    // this name: one renamed or moved from another tab or device meanwhile is a document of its
    // own now, and one already gone is as asked.
    let erased = 0;
    for (const id of replaces) {
      if (await call("delete_replaced", { id, name, folder: stored.folder })) erased += 1;
    }
    transferRow.finish(erased ? gettext("Encrypted and stored. The old version was erased.")
      : gettext("Encrypted and stored."), "success");
    refreshSoon();
  } catch (error) {
    if (error instanceof VaultError && error.code === "quota_exceeded") {
      // The meter may show room left, just not enough for this file: say both.
      const { used_bytes: used, quota_bytes: quota } = state.account;
      transferRow.finish(interpolate(gettext("This file needs %(size)s; %(free)s of your storage is left. Delete something to make room."),
        { size: formatBytes(file.size), free: formatBytes(Math.max(0, quota - used)) }, true), "danger");
      refreshSoon();
    } else {
      finishWithError(transferRow, error);
      // What it stored stays on the server as an unfinished upload, which the line under the
      // storage meter shows once the uploads are over (a cancelled one was discarded).
      if (!wasCancelled(error)) refreshSoon();
    }
  } finally {
    uploadChunksInFlight -= chunks;
    pumpUploads();
  }
}

async function download(doc) {
  const task = crypto.randomUUID();
  const transferRow = new TransferRow(gettext("Download"), doc.name);
  transferRow.onCancel = () => vault.call("cancel", { task });
  transferRow.status(gettext("Downloading and decrypting…"));
  try {
    await vault.ready;
    const checked = await saver.save(doc, task, transferRow.handlers());
    transferRow.finish(interpolate(gettext("Saved. Integrity verified (SHA-256 tree hash %(hash)s…)."),
      { hash: checked.tree_hash.slice(0, 16) }, true), "success");
  } catch (error) {
    finishWithError(transferRow, error);
  }
}

// A document on its own downloads as itself; a folder, or several items, as one ZIP archive of
// everything in them (webclient/vault/archive.py), named after the folder (or the folder shown).
function downloadItems(items) {
  if (items.length === 1 && !items[0].isFolder) {
    download(items[0].item);
    return;
  }
  const shown = folderById(shownFolder)?.name;
  const today = new Date().toISOString().slice(0, 10);
  const name = `${items.length === 1 ? items[0].item.name : shown ?? `anoni-${today}`}.zip`;
  downloadArchive(name, items);
}

async function downloadArchive(name, items) {
  const task = crypto.randomUUID();
  const transferRow = new TransferRow(gettext("Download"), name);
  transferRow.onCancel = () => vault.call("cancel", { task });
  transferRow.status(gettext("Downloading and decrypting…"));
  const folders = items.filter(({ isFolder }) => isFolder).map(({ item }) => item.id);
  const documents = items.filter(({ isFolder }) => !isFolder).map(({ item }) => item.id);
  try {
    await vault.ready;
    const saved = await saver.saveArchive(name, shownFolder, folders, documents, task, transferRow.handlers());
    transferRow.finish(saved.documents === 0 ? gettext("Saved. It holds no document, so there was nothing to check.")
      : interpolate(ngettext("Saved. Integrity verified for the %(count)s document in the archive.",
        "Saved. Integrity verified for all %(count)s documents in the archive.", saved.documents),
      { count: saved.documents }, true), "success");
  } catch (error) {
    finishWithError(transferRow, error);
    if (error instanceof VaultError && error.code === "not_found") refreshSoon();
  }
}

// --- preview ---------------------------------------------------------------------------------------

// Text and images open in the page: decrypted and checked in memory like a small download (the
// tree hash before anything is shown), never written to the disk. Images are decoded with
// createImageBitmap and drawn on a canvas, which needs no URL and so nothing beyond the CSP's
// img-src 'self'; text goes in with textContent.
const PREVIEW_MAX_BYTES = 32 * 1024 * 1024;
const PREVIEW_TEXT_BYTES = 1024 * 1024;
const PREVIEW_IMAGE_PIXELS = 4096; // the longer side, at most, as drawn
const IMAGE_TYPE = /^image\/(png|jpeg|gif|webp|avif|bmp)$/;
const IMAGE_NAME = /\.(png|jpe?g|gif|webp|avif|bmp)$/i;
const TEXT_NAME = /\.(txt|text|md|markdown|csv|tsv|json|log|xml|ya?ml|ini|conf|cfg|toml|srt|vtt|py|js|ts|css|html?|sh|c|h|cpp|java|go|rs|rb|php|sql)$/i;
let previewNumber = 0;

function previewKind(doc) {
  if (IMAGE_TYPE.test(doc.type) || IMAGE_NAME.test(doc.name)) return "image";
  if (doc.type.startsWith("text/") || doc.type === "application/json" || TEXT_NAME.test(doc.name)) return "text";
  return null;
}

async function preview(doc) {
  const element = $("preview-dialog");
  const status = element.querySelector(".preview-status");
  const text = element.querySelector(".preview-text");
  const canvas = element.querySelector(".preview-image");
  const note = element.querySelector(".preview-note");
  const number = ++previewNumber;
  $("preview-dialog-title").textContent = doc.name;
  text.hidden = canvas.hidden = note.hidden = true;
  status.classList.remove("text-danger");
  status.textContent = gettext("Decrypting and checking…");
  const downloadButton = element.querySelector(".preview-download");
  downloadButton.hidden = false;
  downloadButton.onclick = () => {
    hideModal(element);
    download(doc);
  };
  bootstrap.Modal.getOrCreateInstance(element).show();
  const kind = previewKind(doc);
  if (!kind || doc.size > PREVIEW_MAX_BYTES) {
    status.textContent = kind ? interpolate(gettext("This document is too large to preview here (over %(size)s). Download it instead."),
      { size: formatBytes(PREVIEW_MAX_BYTES) }, true) : gettext("There is no preview for this kind of document. Download it instead.");
    return;
  }
  const task = crypto.randomUUID();
  const stop = () => vault.call("cancel", { task });
  element.addEventListener("hide.bs.modal", stop, { once: true });
  try {
    const { blob, checked } = await saver.open(doc, task);
    if (number !== previewNumber) return; // closed meanwhile, or another preview opened
    if (kind === "text") {
      text.textContent = new TextDecoder().decode(await blob.slice(0, PREVIEW_TEXT_BYTES).arrayBuffer());
      text.hidden = false;
      if (!blob.size) {
        // An empty box alone looked like a preview that failed to draw.
        note.textContent = gettext("This document is empty.");
        note.hidden = false;
      } else if (blob.size > PREVIEW_TEXT_BYTES) {
        note.textContent = interpolate(gettext("Only the first %(size)s are shown."), { size: formatBytes(PREVIEW_TEXT_BYTES) }, true);
        note.hidden = false;
      }
    } else {
      let bitmap;
      try {
        bitmap = await createImageBitmap(blob);
      } catch {
        throw new VaultError({ code: "preview_undecodable" });
      }
      const scale = Math.min(1, PREVIEW_IMAGE_PIXELS / Math.max(bitmap.width, bitmap.height));
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      canvas.setAttribute("aria-label", doc.name);
      canvas.hidden = false;
    }
    status.textContent = interpolate(gettext("Integrity verified (SHA-256 tree hash %(hash)s…). Shown here only: nothing was saved on this device."),
      { hash: checked.tree_hash.slice(0, 16) }, true);
  } catch (error) {
    if (number !== previewNumber) return;
    if (error instanceof VaultError && error.code === "cancelled") return;
    status.classList.add("text-danger");
    status.textContent = messageWhereNothingSaves(error);
    // A download of it would only fail the same check, or find it gone too.
    if (error instanceof VaultError && error.code === "integrity") downloadButton.hidden = true;
    if (isGone(error)) {
      downloadButton.hidden = true;
      refreshSoon();
    }
  } finally {
    element.removeEventListener("hide.bs.modal", stop);
  }
}

// What a preview showed goes when its dialog closes.
$("preview-dialog").addEventListener("hidden.bs.modal", () => {
  previewNumber += 1;
  const element = $("preview-dialog");
  element.querySelector(".preview-text").textContent = "";
  const canvas = element.querySelector(".preview-image");
  canvas.width = canvas.height = 0;
});

async function verify(doc) {
  const task = crypto.randomUUID();
  const transferRow = new TransferRow(gettext("Check"), doc.name);
  transferRow.onCancel = () => vault.call("cancel", { task });
  transferRow.status(gettext("Checking…"));
  try {
    const checked = await vault.task(task, transferRow.handlers(), () => call("verify", { task, id: doc.id }));
    transferRow.finish(interpolate(gettext("Intact. Every chunk and the SHA-256 tree hash (%(hash)s…) check out."),
      { hash: checked.tree_hash.slice(0, 16) }, true), "success");
  } catch (error) {
    finishWithError(transferRow, error, messageWhereNothingSaves);
  }
}

// --- choosing and dropping files -------------------------------------------------------------------------------

$("upload-files-button").addEventListener("click", () => $("file-input").click());
$("upload-folder-button").addEventListener("click", () => $("folder-input").click());

for (const input of [$("file-input"), $("folder-input")]) {
  input.addEventListener("change", () => {
    const items = [...input.files].map((file) => ({
      file, path: (file.webkitRelativePath || file.name).split("/").slice(0, -1),
    }));
    input.value = "";
    if (items.length) enqueueUploads(items, shownFolder);
  });
}

function readEntries(reader) {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function collect(entry, path, out) {
  if (entry.isFile) {
    out.push({ file: await new Promise((resolve, reject) => entry.file(resolve, reject)), path });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (let batch = await readEntries(reader); batch.length; batch = await readEntries(reader)) {
      for (const child of batch) await collect(child, [...path, entry.name], out);
    }
  }
}

const dropZone = $("drop-zone");
const carriesFiles = (event) => [...event.dataTransfer.types].includes("Files");

dropZone.addEventListener("dragover", (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = "copy";
  dropZone.classList.add("drag-over");
});
dropZone.addEventListener("dragleave", (event) => {
  if (!dropZone.contains(event.relatedTarget)) dropZone.classList.remove("drag-over");
});
dropZone.addEventListener("drop", async (event) => {
  if (!carriesFiles(event)) return;
  event.preventDefault();
  dropZone.classList.remove("drag-over");
  const folder = shownFolder;
  // The entries must be taken now: the drop's data is gone once this handler yields.
  const entries = [...event.dataTransfer.items].filter((item) => item.kind === "file")
    .map((item) => item.webkitGetAsEntry?.()).filter(Boolean);
  const files = [...event.dataTransfer.files];
  const items = [];
  try {
    if (entries.length) for (const entry of entries) await collect(entry, [], items);
    else items.push(...files.map((file) => ({ file, path: [] })));
  } catch (error) {
    log.add("warning", "drop.unreadable", error.name);
    showAlert(gettext("Some of the dropped items could not be read."));
  }
  if (items.length) enqueueUploads(items, folder);
});
// A file dropped beside the zone must not make the browser open it in place of the vault.
window.addEventListener("dragover", (event) => { if (carriesFiles(event)) event.preventDefault(); });
window.addEventListener("drop", (event) => { if (carriesFiles(event)) event.preventDefault(); });

if (config.bench) import(config.bench).then((bench) => bench.run({ vault, saver, config, log, call }));
