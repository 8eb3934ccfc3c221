/**
 * Where a keyless signature's OIDC identity token comes from: an explicit token (value, or a file holding
 * it), or GitHub Actions' ID-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL` + `…_TOKEN`, audience
 * `sigstore`). The caller passes the values in; this module reads no environment. Tokens never appear in
 * error messages.
 */
import { readFile, stat } from "node:fs/promises";
import { SigningError } from "./errors.ts";

export interface TokenSource {
  /** `--identity-token`: the JWT itself, or a path to a file holding it. */
  identityToken?: string | undefined;
  /** GitHub Actions' request URL and bearer token (from ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN). */
  github?: { requestUrl: string; requestToken: string } | undefined;
  /** Audience asked of GitHub; Fulcio expects `sigstore`. */
  audience?: string;
  /** Base path for a relative token file. */
  cwd?: string;
}

function looksLikeJWT(s: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(s.trim());
}

/** Resolves the identity token, or throws a SigningError saying which source to set. */
export async function resolveIdentityToken(
  src: TokenSource,
  opts: { signal?: AbortSignal } = {},
): Promise<string> {
  if (src.identityToken) {
    const v = src.identityToken.trim();
    if (looksLikeJWT(v)) return v;
    const path = src.cwd && !v.startsWith("/") ? `${src.cwd}/${v}` : v;
    const isFile = await stat(path).then(
      (s) => s.isFile(),
      () => false,
    );
    if (!isFile) {
      throw new SigningError(
        "",
        "--identity-token is neither a JWT nor a readable file; pass the token or its path",
      );
    }
    const token = (await readFile(path, { encoding: "utf8", signal: opts.signal })).trim();
    if (!looksLikeJWT(token)) throw new SigningError("", `identity token file ${path} does not hold a JWT`);
    return token;
  }
  if (src.github) {
    const url = new URL(src.github.requestUrl);
    url.searchParams.set("audience", src.audience ?? "sigstore");
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { Authorization: `bearer ${src.github.requestToken}`, Accept: "application/json" },
        signal: opts.signal ?? null,
      });
    } catch (cause) {
      throw new SigningError("", `cannot reach the GitHub Actions ID-token endpoint at ${url.host}`, {
        cause,
      });
    }
    if (!res.ok) {
      throw new SigningError(
        "",
        `the GitHub Actions ID-token endpoint answered ${res.status}; give the workflow \`permissions: id-token: write\``,
      );
    }
    const body = (await res.json()) as { value?: unknown };
    if (typeof body.value !== "string" || !looksLikeJWT(body.value)) {
      throw new SigningError("", "the GitHub Actions ID-token endpoint returned no token");
    }
    return body.value;
  }
  throw new SigningError(
    "",
    "keyless signing needs an OIDC identity token: pass --identity-token (value or file), run in GitHub Actions with id-token: write, or sign with --key",
  );
}
