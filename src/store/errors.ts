/** Errors of the artifact store. */
import { FerryError } from "../errors/index.ts";

/** A store operation on disk failed (create, rename, read, remove). */
export class StoreError extends FerryError {
  override name = "StoreError";
  readonly key: string;
  readonly operation: string;

  constructor(key: string, operation: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.key = key;
    this.operation = operation;
  }
}

/** A key that is not a safe folder name (keys come from digests, never from user paths). */
export class InvalidStoreKeyError extends FerryError {
  override name = "InvalidStoreKeyError";
  readonly key: string;

  constructor(key: string) {
    super(
      `artifact store key "${key}" is invalid; keys are made of letters, digits, '-', '_' and '.' (e.g. sha256-<hex>)`,
    );
    this.key = key;
  }
}
