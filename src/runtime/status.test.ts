import assert from "node:assert/strict";
import { test } from "node:test";
import { afterFailedAttempt, writeFailureStatus } from "./status.ts";

class AttemptError extends Error {
  readonly stalled: boolean;
  constructor(stalled: boolean) {
    super("attempt failed");
    this.stalled = stalled;
  }
}

test("writeFailureStatus: true when the write lands; a failed write goes to onError and gives false", async () => {
  const seen: unknown[] = [];
  assert.equal(await writeFailureStatus(Promise.resolve({}), (e) => seen.push(e)), true);
  const away = new Error("connect ECONNREFUSED");
  assert.equal(await writeFailureStatus(Promise.reject(away), (e) => seen.push(e)), false);
  assert.deepEqual(seen, [away]);
});

test("afterFailedAttempt: a stalled attempt whose status landed stops; otherwise the error is thrown for a backoff retry", () => {
  assert.equal(afterFailedAttempt(new AttemptError(true), true), undefined);
  const cases: Array<[boolean, boolean]> = [
    [true, false], // stalled, status not written (API server away): retry until it lands
    [false, true],
    [false, false],
  ];
  for (const [stalled, written] of cases) {
    const e = new AttemptError(stalled);
    assert.throws(
      () => afterFailedAttempt(e, written),
      (err) => err === e,
      `stalled=${stalled} written=${written}`,
    );
  }
});
