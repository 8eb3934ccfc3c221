/**
 * ArtifactStore: a content-addressed folder of artifacts, one sub-folder per key (`<root>/<key>/`, the key
 * derived from the manifest digest), each holding what its builder wrote plus `meta.json`. An entry is
 * built in a temporary folder and renamed into place, so readers see a whole entry or none. Owners (e.g.
 * `OCIRepository/ns/name`) reference one key each; an entry no owner references any more is removed.
 * Operations on one key are serialised within the process (a per-instance lock table, no module state).
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { InvalidStoreKeyError, StoreError } from "./errors.ts";

export interface ArtifactStoreOptions {
  /** Folder holding the entries (created when absent). */
  root: string;
}

/** What a builder reports about the files it wrote into the entry's folder. */
export type EntryMetadata = Record<string, unknown>;

export interface StoredEntry {
  key: string;
  /** Absolute folder of the entry. */
  dir: string;
  /** When the entry was stored (RFC 3339). */
  storedAt: string;
  /** What the builder returned. */
  metadata: EntryMetadata;
}

export type EntryBuilder = (dir: string, signal: AbortSignal) => Promise<EntryMetadata>;

const META = "meta.json";
const TMP_PREFIX = ".tmp-";
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function checkKey(key: string): void {
  if (!KEY.test(key) || key.includes("..")) throw new InvalidStoreKeyError(key);
}

export class ArtifactStore {
  readonly root: string;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly owners = new Map<string, string>();

  constructor(opts: ArtifactStoreOptions) {
    this.root = resolve(opts.root);
  }

  /** Creates the root and removes temporary folders a previous process left behind. */
  async init(opts: { signal: AbortSignal }): Promise<void> {
    opts.signal.throwIfAborted();
    try {
      await mkdir(this.root, { recursive: true });
      for (const name of await readdir(this.root)) {
        if (name.startsWith(TMP_PREFIX)) await rm(join(this.root, name), { recursive: true, force: true });
      }
    } catch (err) {
      throw new StoreError("", "init", `cannot prepare the artifact store folder ${this.root}: ${err}`, err);
    }
  }

  /** Absolute folder of a key's entry (whether or not it exists). */
  dir(key: string): string {
    checkKey(key);
    return join(this.root, key);
  }

  /** The entry, or undefined when it is not stored. */
  async get(key: string): Promise<StoredEntry | undefined> {
    const dir = this.dir(key);
    let text: string;
    try {
      text = await readFile(join(dir, META), "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StoreError(key, "read", `cannot read ${join(dir, META)}: ${err}`, err);
    }
    try {
      const m = JSON.parse(text) as { storedAt: string; metadata: EntryMetadata };
      return { key, dir, storedAt: m.storedAt, metadata: m.metadata };
    } catch (err) {
      throw new StoreError(
        key,
        "read",
        `${join(dir, META)} is not valid JSON; delete the folder ${dir} so the artifact is fetched again`,
        err,
      );
    }
  }

  /**
   * Returns the stored entry for `key`, building it first when absent, and makes `owner` reference it
   * (releasing what the owner referenced before). Concurrent calls for one key build it once.
   */
  async put(
    key: string,
    owner: string,
    build: EntryBuilder,
    opts: { signal: AbortSignal },
  ): Promise<StoredEntry> {
    let prev: string | undefined;
    const entry = await this.locked(key, async () => {
      const claim = () => {
        // Claimed inside the lock so a concurrent gc cannot remove the entry before the owner holds it.
        prev = this.owners.get(owner);
        this.owners.set(owner, key);
      };
      const existing = await this.get(key);
      if (existing) {
        claim();
        return existing;
      }
      const tmp = join(this.root, `${TMP_PREFIX}${key}-${randomBytes(4).toString("hex")}`);
      try {
        await mkdir(tmp, { recursive: true });
        const metadata = await build(tmp, opts.signal);
        const storedAt = new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
        await writeFile(join(tmp, META), `${JSON.stringify({ key, storedAt, metadata }, null, 2)}\n`);
        await rename(tmp, this.dir(key));
        claim();
        return { key, dir: this.dir(key), storedAt, metadata };
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw err;
      }
    });
    if (prev !== undefined && prev !== key) await this.removeIfUnreferenced(prev);
    return entry;
  }

  /**
   * Makes `owner` reference the stored entry `key` (e.g. after a restart) and returns it, or returns
   * undefined (and changes nothing) when it is not stored; the owner's previous key may be removed.
   */
  async reference(owner: string, key: string): Promise<StoredEntry | undefined> {
    checkKey(key);
    let prev: string | undefined;
    const entry = await this.locked(key, async () => {
      const e = await this.get(key);
      if (e) {
        prev = this.owners.get(owner);
        this.owners.set(owner, key);
      }
      return e;
    });
    if (prev !== undefined && prev !== key) await this.removeIfUnreferenced(prev);
    return entry;
  }

  /** Drops `owner`'s reference; its entry is removed when nobody else references it. */
  async release(owner: string): Promise<void> {
    const prev = this.owners.get(owner);
    this.owners.delete(owner);
    if (prev !== undefined) await this.removeIfUnreferenced(prev);
  }

  /** The key `owner` references. */
  referenced(owner: string): string | undefined {
    return this.owners.get(owner);
  }

  /** Keys of the stored entries. */
  async keys(): Promise<string[]> {
    const names = await readdir(this.root).catch(() => [] as string[]);
    const out: string[] = [];
    for (const n of names) {
      if (n.startsWith(TMP_PREFIX) || !KEY.test(n)) continue;
      if ((await stat(join(this.root, n)).catch(() => undefined))?.isDirectory()) out.push(n);
    }
    return out.sort();
  }

  /**
   * Removes every entry no owner references and `keep` does not name (after a restart, pass the keys the
   * objects' statuses still advertise, as owners re-register only when they are reconciled).
   */
  async gc(opts: { signal: AbortSignal; keep?: Iterable<string> }): Promise<string[]> {
    const keep = new Set(opts.keep ?? []);
    const removed: string[] = [];
    for (const key of await this.keys()) {
      opts.signal.throwIfAborted();
      if (keep.has(key)) continue;
      if (await this.removeIfUnreferenced(key)) removed.push(key);
    }
    return removed;
  }

  private isReferenced(key: string): boolean {
    for (const k of this.owners.values()) if (k === key) return true;
    return false;
  }

  private async removeIfUnreferenced(key: string): Promise<boolean> {
    return await this.locked(key, async () => {
      if (this.isReferenced(key)) return false;
      const dir = this.dir(key);
      // Rename first so a reader never sees a half-deleted entry.
      const trash = join(this.root, `${TMP_PREFIX}gc-${key}-${randomBytes(4).toString("hex")}`);
      try {
        await rename(dir, trash);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw new StoreError(key, "remove", `cannot remove artifact ${dir}: ${err}`, err);
      }
      await rm(trash, { recursive: true, force: true });
      return true;
    });
  }

  private async locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
